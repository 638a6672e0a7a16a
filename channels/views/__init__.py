"""Views: public (apply, invitations), org (a member's organisation pages), desk (channel managers)."""
