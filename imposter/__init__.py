__version__ = "0.1.0"

import logging as _logging

def _drop_torchvision_notes(record) -> bool:
    "transformers notes on import that its image processors fall back to PIL without torchvision: expected here, noise on every import."
    return 'requires torchvision (not installed)' not in record.getMessage()

# on the one logger that writes these notes, before diffusers (and so transformers) is first imported; verbosity unchanged
_logging.getLogger('transformers.utils.import_utils').addFilter(_drop_torchvision_notes)
