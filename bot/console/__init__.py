"""Console channel: a terminal chat for the demo and for scripted runs."""
