"""Single sign-on (OpenID Connect) settings. Imported at the end of base.py.

Filled in by the SSO work; empty means password login only.
"""
