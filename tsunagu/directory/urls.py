from django.urls import path

from tsunagu.directory import views

app_name = "directory"

urlpatterns = []
for prefix, plural in (
    ("organization", "organizations"),
    ("district", "districts"),
    ("business", "businesses"),
    ("case_feature", "case-features"),
):
    urlpatterns += [
        path(f"{plural}/", getattr(views, f"{prefix}_list"), name=f"{prefix}_list"),
        path(f"{plural}/new/", getattr(views, f"{prefix}_create"), name=f"{prefix}_create"),
        path(f"{plural}/<int:pk>/", getattr(views, f"{prefix}_edit"), name=f"{prefix}_edit"),
        path(
            f"{plural}/<int:pk>/archive/",
            getattr(views, f"{prefix}_archive"),
            name=f"{prefix}_archive",
        ),
    ]
