"""Each enterprise's yearly cross-border RMB settlement, from the payments service's figures."""
