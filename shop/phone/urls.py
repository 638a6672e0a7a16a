from django.urls import path

from . import views

app_name = "phone"
urlpatterns = [
    path("", views.PhoneSignInView.as_view(), name="sign-in"),
    path("close-account/", views.AccountCloseView.as_view(), name="close-account"),
]
