from django.urls import path

from shop import views

urlpatterns = [
    path("signup", views.signup),
    path("login", views.login_view),
    path("logout", views.logout_view),
    path("checkout", views.checkout),
    path("subscription/cancel", views.cancel_subscription),
    path("account/delete", views.delete_account),
]
