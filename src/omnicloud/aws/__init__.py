"""AWS protocol pieces: SigV4 signing, XML helpers, S3 requests and responses."""
