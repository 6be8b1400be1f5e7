"""Evidence packages: the transaction electronic information, assembled from declaration and
logistics events, signed by the platform, fetched by the institutions the enterprise authorised."""
