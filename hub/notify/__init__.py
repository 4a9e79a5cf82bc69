"""Notifications: in-app notices for a tenant's admins, emailed through the SMTP server."""
