"""One module per fixture site (or family of sites); each defines SITES = {host: wsgi_app}."""
