from django.apps import AppConfig


class CanvasConfig(AppConfig):
    name = "canvas"
    verbose_name = "Operations Canvas"
    default_auto_field = "django.db.models.BigAutoField"
