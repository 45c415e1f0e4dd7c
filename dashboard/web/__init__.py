"""The dashboard's Flask app: sign-in, pages, security headers, error pages, words."""
