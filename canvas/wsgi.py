import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canvas.settings")
application = get_wsgi_application()

# The app, its URLconf and every view it imports (Django would import them on the first
# request) live as long as the process: move them out of the garbage collector's sight
# (gc.freeze). Under gunicorn --preload this runs in the master, just before the workers
# are forked. Without it a full collection in a worker scans the whole app (about 80,000
# objects: some 50 ms on this project's 2-core test machine) and lands now and then in the
# middle of a request; with it, a collection scans only what requests made since (1-5 ms).
get_resolver().url_patterns  # noqa: B018 (loads the URLconf and the views it imports)
gc.freeze()
