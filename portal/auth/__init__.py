"""Sign-in, passwords and server-side session records."""
