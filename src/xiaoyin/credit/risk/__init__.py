"""Credit risk models: training (binning, WOE scorecard, LightGBM challenger) and scoring.

Import the pieces from their modules (``train``, ``model``, ``metrics``); this package stays light.
"""
