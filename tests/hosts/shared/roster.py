"""Who the host tests use: an existing user (made before the tracker) and new people."""

PASSWORD = "Corr3ct-Horse-Battery"
EXISTING = {
    "username": "grace",
    "stored_email": "Grace.Hopper@Example.com",  # as the site stored it, mixed case
    "login_email": "grace.hopper@example.com",
}
MANAGER = "boss@example.com"
NEWCOMER = "newcomer@example.com"
