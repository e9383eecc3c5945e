"""The playground: a static page running this project in the browser (``make playground``); ``app`` is its Python."""
