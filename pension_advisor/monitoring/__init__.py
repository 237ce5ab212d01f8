"""Production monitoring: sample runs, queue them durably, score them in workers, attach the scores to traces."""
