"""Queue and task names: a contract with operators, compose files and dashboards."""

INGEST_QUEUE = "ingest"
NLP_QUEUE = "nlp"
QUEUES = (INGEST_QUEUE, NLP_QUEUE)
INGEST_TASK = "dropwire.ingest"
NLP_TASK = "dropwire.nlp"
