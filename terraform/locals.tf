# Every ARN the task roles are scoped to, derived once from the variables (iam-tasks.tf uses only these).
locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition

  amp_region       = split(":", var.monitored_amp_workspace_arn)[3]
  amp_workspace_id = split("/", var.monitored_amp_workspace_arn)[1]
  amp_query_url    = "https://aps-workspaces.${local.amp_region}.amazonaws.com/workspaces/${local.amp_workspace_id}"

  # API Gateway authorizes each method and path: exactly the two Loki routes the client calls.
  loki_signed = var.monitored_loki_execute_api_arn != null
  loki_route_arns = local.loki_signed ? [
    "${var.monitored_loki_execute_api_arn}/GET/loki/api/v1/query",
    "${var.monitored_loki_execute_api_arn}/GET/loki/api/v1/query_range",
  ] : []

  dsql_cluster_id = split("/", var.dsql_cluster_arn)[1]
  dsql_endpoint   = "${local.dsql_cluster_id}.dsql.${var.region}.on.aws"
  dsql_admin      = var.dsql_user == "admin"

  # As bedrockProfileGeo in src/config-llm.ts: us. from US regions, eu. from EU ones (var.region allows no other).
  profile_geo = startswith(var.region, "us-") ? "us" : "eu"
  # The destination regions of the geography's cross-region profiles for these models; the variable overrides.
  default_profile_regions = {
    us = ["us-east-1", "us-east-2", "us-west-2"]
    eu = ["eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3"]
  }
  profile_regions = coalesce(var.inference_profile_regions, local.default_profile_regions[local.profile_geo])
  models          = toset([var.dispatcher_model, var.researcher_model])
  profile_ids     = { for model in local.models : model => "${local.profile_geo}.${model}" }
  inference_profile_arns = [
    for model in local.models : "arn:${local.partition}:bedrock:${var.region}:${local.account}:inference-profile/${local.profile_ids[model]}"
  ]
  foundation_model_arns = flatten([
    for model in local.models : [
      for region in local.profile_regions : "arn:${local.partition}:bedrock:${region}::foundation-model/${model}"
    ]
  ])
  embedding_model_arn = "arn:${local.partition}:bedrock:${var.region}::foundation-model/${var.embedding_model_id}"

  corpus_bucket_arn = aws_s3_bucket.corpus.arn
  # Object keys are the corpus file names, unknown here: the prefix is the tightest scope S3 offers.
  corpus_objects_arn = "${aws_s3_bucket.corpus.arn}/${var.corpus_prefix}*"
  knowledge_base_arn = aws_bedrockagent_knowledge_base.corpus.arn

  log_group_arns = { for name, group in aws_cloudwatch_log_group.task : name => group.arn }
}
