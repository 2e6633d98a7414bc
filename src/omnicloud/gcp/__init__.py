"""Google Cloud pieces shared by the Google drivers: service-account auth, CRC32C, the Cloud
Storage JSON API client. Nothing here is imported by ``import omnicloud``."""
