"""Case pages (ilm/cases/views.py) and their files and exports (ilm/cases/views_files.py)."""

from ilm.cases import views, views_files

app_name = "cases"

urlpatterns = [*views.urlpatterns, *views_files.urlpatterns]
