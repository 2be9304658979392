output "knowledge_base_id" {
  description = "COPILOT_KB_ID for `copilot kb` commands."
  value       = aws_bedrockagent_knowledge_base.corpus.id
}

output "data_source_id" {
  description = "COPILOT_KB_DATA_SOURCE_ID for `copilot kb start-ingestion`."
  value       = aws_bedrockagent_data_source.corpus.data_source_id
}

output "corpus_bucket" {
  description = "COPILOT_KB_BUCKET for `copilot kb sync` (with COPILOT_KB_PREFIX = var.corpus_prefix)."
  value       = aws_s3_bucket.corpus.bucket
}

output "kb_sync_role_arn" {
  description = "Role to assume for `copilot kb sync`; null when no principal may assume it."
  value       = one(aws_iam_role.kb_sync[*].arn)
}

output "api_security_group_id" {
  description = "Security group of the API tasks (reach them on copilot-api:8081 inside the Service Connect namespace)."
  value       = aws_security_group.tasks["api"].id
}

output "worker_env" {
  description = "The worker's environment, for review."
  value       = local.worker_env
}
