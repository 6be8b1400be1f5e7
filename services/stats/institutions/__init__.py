"""Each bank's and payment institution's yearly online volume, from the payments service's figures."""
