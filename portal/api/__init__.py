"""The JSON API (/api/v1): personal access tokens, bearer authentication, read endpoints."""
