"""Kind-agnostic tool flow: tool discovery, the tool runner, the edalize launcher, the iCE40 flow, report parsers."""
