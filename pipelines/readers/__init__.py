"""One reader per input format; each turns decoded text into article drafts."""
