"""Foreign-firm accounts: sign-up with email confirmation, invitations, firm access."""
