"""Routes of the strategy check sheet (戦略点検シート), under reports/strategy/."""

from django.urls import path

from tsunagu.reports import views_strategy as views

urlpatterns = [
    path("strategy/", views.sheet_page, name="strategy"),
    path("strategy/excel/", views.sheet_excel, name="strategy_excel"),
    path("strategy/new/", views.sheet_create, name="strategy_sheet_create"),
    path("strategy/<int:pk>/manage/", views.sheet_manage, name="strategy_manage"),
    path("strategy/<int:pk>/edit/", views.sheet_update, name="strategy_sheet_update"),
    path("strategy/<int:pk>/values/", views.values_grid, name="strategy_values"),
    path("strategy/<int:pk>/budgets/", views.budgets_grid, name="strategy_budgets"),
    path("strategy/<int:pk>/narratives/", views.narratives_edit, name="strategy_narratives"),
    path(
        "strategy/<int:pk>/programmes/new/",
        views.programme_create,
        name="strategy_programme_create",
    ),
    path(
        "strategy/programmes/<int:pk>/edit/",
        views.programme_update,
        name="strategy_programme_update",
    ),
    path(
        "strategy/programmes/<int:pk>/move/", views.programme_move, name="strategy_programme_move"
    ),
    path(
        "strategy/programmes/<int:pk>/archive/",
        views.programme_archive,
        name="strategy_programme_archive",
    ),
    path(
        "strategy/programmes/<int:pk>/indicators/new/",
        views.indicator_create,
        name="strategy_indicator_create",
    ),
    path(
        "strategy/indicators/<int:pk>/edit/",
        views.indicator_update,
        name="strategy_indicator_update",
    ),
    path(
        "strategy/indicators/<int:pk>/move/", views.indicator_move, name="strategy_indicator_move"
    ),
    path(
        "strategy/indicators/<int:pk>/archive/",
        views.indicator_archive,
        name="strategy_indicator_archive",
    ),
]
