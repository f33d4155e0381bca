// Included by the worker in this tree, which the layering forbids.
