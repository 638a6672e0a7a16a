"""Writes of the channels room, by sub-domain: ``organisations`` (applications, managers' decisions,
billing details, delivery sites), ``members`` (invitations, roles) and ``prices`` (price list imports).

Every service is keyword-only, validates with ``full_clean()`` and runs in one transaction; those a
channel manager calls check the manager's channel themselves (``channels.permissions``), those an
organisation's admin calls check the admin's membership.
"""
