# A release built with this set to True fails its health check (the tests deploy such a release on purpose).
HEALTH_BROKEN = False
