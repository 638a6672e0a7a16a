"""The channels room, mounted at /shop/channels/ (see shop/urls.py): the channel managers' desk, the
application, invitation links and a member's organisation pages (org/)."""

from django.urls import path

from channels.views import accounts, assistance, desk, org, public, standing
from channels.views import documents as docs
from channels.views import orders as order_views
from channels.views import quotes as quote_views

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
    # Quotes and bulk orders (issue 13, parts 3 and 4).
    path("org/quotes/", quote_views.QuoteListView.as_view(), name="org-quotes"),
    path("org/quotes/new/", quote_views.QuoteCreateView.as_view(), name="org-quote-create"),
    path("org/quotes/<int:pk>/", quote_views.QuoteDetailView.as_view(), name="org-quote"),
    path("org/quotes/<int:pk>/pdf/", quote_views.QuotePdfView.as_view(), name="org-quote-pdf"),
    path("org/orders/", order_views.OrderListView.as_view(), name="org-orders"),
    path("org/orders/basket/", order_views.BasketOrderView.as_view(), name="org-order-basket"),
    path("org/orders/sheet/", order_views.SheetOrderView.as_view(), name="org-order-sheet"),
    path("org/orders/<int:pk>/reorder/", order_views.ReorderView.as_view(), name="org-order-reorder"),
    path("quotes/", quote_views.DeskQuoteListView.as_view(), name="desk-quotes"),
    path("quotes/<int:pk>/", quote_views.DeskQuoteDetailView.as_view(), name="desk-quote"),
    path("quotes/<int:pk>/pdf/", quote_views.DeskQuotePdfView.as_view(), name="desk-quote-pdf"),
    path("orders/", order_views.DeskOrdersView.as_view(), name="desk-orders"),
    path("orders/<int:pk>/confirm/", order_views.DeskOrderConfirmView.as_view(), name="desk-order-confirm"),
    # Payment terms on account: invoices, statements, fapiao (issue 13, part 5).
    path("org/account/", accounts.OrgAccountView.as_view(), name="org-invoices"),
    path("org/account/invoices/<int:pk>/", accounts.OrgInvoiceView.as_view(), name="org-invoice"),
    path("org/account/statements/<str:month>/", accounts.OrgStatementView.as_view(), name="org-statement"),
    path(
        "org/account/statements/<str:month>/statement.<slug:fmt>",
        accounts.OrgStatementFileView.as_view(),
        name="org-statement-file",
    ),
    path("accounts/", accounts.DeskAccountsView.as_view(), name="desk-accounts"),
    path("accounts/organisations/<int:pk>/", accounts.DeskTermsView.as_view(), name="desk-account"),
    path(
        "accounts/organisations/<int:pk>/statements/<str:month>/",
        accounts.DeskStatementView.as_view(),
        name="desk-statement",
    ),
    path(
        "accounts/organisations/<int:pk>/statements/<str:month>/statement.<slug:fmt>",
        accounts.DeskStatementFileView.as_view(),
        name="desk-statement-file",
    ),
    path("accounts/invoices/<int:pk>/", accounts.DeskInvoiceView.as_view(), name="desk-invoice"),
    path("accounts/fapiao/", accounts.DeskFapiaoView.as_view(), name="desk-fapiao"),
    path(
        "accounts/fapiao/export.<slug:fmt>",
        accounts.DeskFapiaoExportView.as_view(),
        name="desk-fapiao-export",
    ),
    path(
        "accounts/fapiao/<int:pk>/issued/", accounts.DeskFapiaoIssuedView.as_view(), name="desk-fapiao-issued"
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
    # The assistance ledger (issue 13, part 9).
    path("org/assistance/", assistance.OrgAssistanceView.as_view(), name="org-assistance"),
    path("org/assistance/pledge/", assistance.PledgeView.as_view(), name="org-assistance-pledge"),
    path(
        "organisations/<int:pk>/assistance/",
        assistance.DeskAssistanceView.as_view(),
        name="desk-organisation-assistance",
    ),
    path(
        "organisations/<int:pk>/assistance/download/",
        assistance.AssistanceDownloadView.as_view(),
        name="assistance-download",
    ),
    path("documents/<int:pk>/", docs.DocumentView.as_view(), name="document"),
    path("documents/<int:pk>/download/", docs.DocumentDownloadView.as_view(), name="document-download"),
]
