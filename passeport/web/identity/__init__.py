"""Login pages beyond the password: two-factor verification and enrolment, OpenID
Connect logins (professionals and persons), the organisation's security setting."""
