"""Write a WeSpeaker model folder with random weights (run with the worker environment's python).

The product's own builder (the demo uses it too): see localclip_worker.demo_models.
"""

from localclip_worker.demo_models import main

if __name__ == "__main__":
    main()
