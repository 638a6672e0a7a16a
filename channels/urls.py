"""The channels room, mounted at /shop/channels/ (see shop/urls.py): the channel managers' desk, the
application, invitation links and a member's organisation pages (org/)."""

from django.urls import path

from channels.views import desk, org, public, standing
from channels.views import documents as docs

app_name = "channels"

urlpatterns = [
    # The channel managers' desk.
    path("", desk.DeskHomeView.as_view(), name="desk"),
    path("organisations/", desk.OrganisationListView.as_view(), name="desk-organisations"),
    path("organisations/<int:pk>/", desk.OrganisationDetailView.as_view(), name="desk-organisation"),
    path("prices/", desk.PriceListsView.as_view(), name="desk-prices"),
    path("prices/<slug:channel>/", desk.PriceListView.as_view(), name="desk-price-list"),
    path(
        "prices/<slug:channel>/export.<slug:fmt>",
        desk.PriceListExportView.as_view(),
        name="desk-price-export",
    ),
    path(
        "prices/<slug:channel>/organisations/<int:pk>/",
        desk.PriceListView.as_view(),
        name="desk-contract-list",
    ),
    path(
        "prices/<slug:channel>/organisations/<int:pk>/export.<slug:fmt>",
        desk.PriceListExportView.as_view(),
        name="desk-contract-export",
    ),
    # Joining.
    path("apply/", public.ApplyView.as_view(), name="apply"),
    path("invitations/<str:token>/", public.InvitationView.as_view(), name="invitation"),
    # A member's own organisation.
    path("org/", org.OverviewView.as_view(), name="org"),
    path("org/prices/", org.PricesView.as_view(), name="org-prices"),
    path("org/billing/", org.BillingView.as_view(), name="org-billing"),
    path("org/sites/", org.SiteListView.as_view(), name="org-sites"),
    path("org/sites/new/", org.SiteFormView.as_view(), name="org-site-create"),
    path("org/sites/<int:pk>/", org.SiteFormView.as_view(), name="org-site-update"),
    path("org/sites/<int:pk>/active/", org.SiteActiveView.as_view(), name="org-site-active"),
    path("org/members/", org.MemberListView.as_view(), name="org-members"),
    path("org/members/<int:pk>/role/", org.MemberRoleView.as_view(), name="org-member-role"),
    path("org/members/<int:pk>/remove/", org.MemberRemoveView.as_view(), name="org-member-remove"),
    path("org/invitations/", org.InvitationsView.as_view(), name="org-invitations"),
    path(
        "org/invitations/<int:pk>/revoke/", org.InvitationRevokeView.as_view(), name="org-invitation-revoke"
    ),
    # Standing deliveries and delivery documents (issue 13, parts 6 and 7).
    path("org/standing/", standing.StandingListView.as_view(), name="org-standing"),
    path("org/standing/new/", standing.StandingFormView.as_view(), name="org-standing-create"),
    path("org/standing/<int:pk>/", standing.StandingFormView.as_view(), name="org-standing-update"),
    path("org/standing/<int:pk>/pause/", standing.StandingPauseView.as_view(), name="org-standing-pause"),
    path("org/deliveries/", docs.DeliveryListView.as_view(), name="org-deliveries"),
    path("deliveries/<int:pk>/", docs.DeliveryDetailView.as_view(), name="delivery"),
    path(
        "deliveries/<int:pk>/documents/<slug:kind>/",
        docs.DeliveryDocumentRequestView.as_view(),
        name="delivery-document",
    ),
    path("organisations/<int:pk>/ledger/", docs.LedgerRequestView.as_view(), name="ledger"),
    path("documents/<int:pk>/", docs.DocumentView.as_view(), name="document"),
    path("documents/<int:pk>/download/", docs.DocumentDownloadView.as_view(), name="document-download"),
]
