"""arq workers: job functions and the ``WorkerSettings`` that runs them."""
