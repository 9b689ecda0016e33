from django.urls import path

from . import views

app_name = "channels_public"
urlpatterns = [
    # The callback URL registered with the WhatsApp Business platform, one per agency.
    path("whatsapp/<slug:agency_code>/", views.whatsapp_webhook, name="whatsapp"),
]
