"""One module per training-log format that needs more than the column mapping of :mod:`..readers`.

* :mod:`.huggingface` — transformers' ``trainer_state.json`` and Trainer output folders;
* :mod:`.jsonlines` — JSON lines (``.jsonl``, and MMEngine's / Detectron2's ``.json``);
* :mod:`.tensorboard` — TensorBoard event directories (``add_scalar``, ``add_scalars``, Keras).
"""
