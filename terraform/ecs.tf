# The copilot's three services on Fargate: its own Temporal server, the worker and the API. They find each other
# through ECS Service Connect (temporal:7233, copilot-api:8081) in private subnets, with no public IP.

locals {
  services = toset(["temporal", "worker", "api"])
  clusters_json = jsonencode([merge(
    {
      name             = var.monitored_cluster_name
      prometheus_url   = local.amp_query_url
      prometheus_sigv4 = { region = local.amp_region }
    },
    var.monitored_selector == "" ? {} : { selector = var.monitored_selector },
    var.monitored_loki_url == null ? {} : { loki_url = var.monitored_loki_url },
    local.loki_signed ? { loki_sigv4 = { region = split(":", var.monitored_loki_execute_api_arn)[3] } } : {},
  )])
  # What the worker and the API both read (src/config.ts): the store, the Temporal server, the clusters.
  common_env = {
    AWS_REGION         = var.region
    DSQL_ENDPOINT      = local.dsql_endpoint
    DSQL_USER          = var.dsql_user
    TEMPORAL_ADDRESS   = "temporal:7233"
    TEMPORAL_NAMESPACE = "default"
    COPILOT_CLUSTERS   = local.clusters_json
  }
  worker_env = merge(local.common_env, {
    COPILOT_LLM_PROVIDER         = "bedrock"
    COPILOT_LLM_DISPATCHER_MODEL = local.profile_ids[var.dispatcher_model]
    COPILOT_LLM_RESEARCHER_MODEL = local.profile_ids[var.researcher_model]
    COPILOT_KB_ID                = aws_bedrockagent_knowledge_base.corpus.id
  })
  api_env = merge(local.common_env, {
    COPILOT_API_HOST = "0.0.0.0"
    COPILOT_API_PORT = "8081"
  })
}

resource "aws_ecs_cluster" "copilot" {
  name = var.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_service_discovery_http_namespace" "copilot" {
  name = var.name
}

resource "aws_cloudwatch_log_group" "task" {
  for_each          = local.services
  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
}

resource "aws_security_group" "tasks" {
  #checkov:skip=CKV2_AWS_5:Attached to its ECS service (aws_ecs_service.service network_configuration); checkov's graph does not follow the for_each key.
  for_each    = local.services
  name        = "${var.name}-${each.key}"
  description = "The copilot ${each.key} tasks"
  vpc_id      = var.vpc_id
}

# AWS APIs (AMP, Bedrock, DSQL, ECR, logs) are reached over HTTPS through NAT or VPC endpoints; DSQL also on 5432.
resource "aws_vpc_security_group_egress_rule" "https" {
  for_each          = local.services
  security_group_id = aws_security_group.tasks[each.key].id
  description       = "HTTPS to AWS APIs and image registries"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "postgres" {
  for_each          = toset(["temporal", "worker", "api"])
  security_group_id = aws_security_group.tasks[each.key].id
  description       = "Postgres wire protocol: DSQL (worker, api) and Temporal's database (temporal)"
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "worker_to_temporal" {
  security_group_id            = aws_security_group.tasks["worker"].id
  description                  = "Temporal frontend"
  ip_protocol                  = "tcp"
  from_port                    = 7233
  to_port                      = 7233
  referenced_security_group_id = aws_security_group.tasks["temporal"].id
}

resource "aws_vpc_security_group_ingress_rule" "temporal_from_worker" {
  security_group_id            = aws_security_group.tasks["temporal"].id
  description                  = "Temporal frontend from the worker"
  ip_protocol                  = "tcp"
  from_port                    = 7233
  to_port                      = 7233
  referenced_security_group_id = aws_security_group.tasks["worker"].id
}

resource "aws_vpc_security_group_ingress_rule" "api_from_clients" {
  for_each                     = toset(var.api_client_security_group_ids)
  security_group_id            = aws_security_group.tasks["api"].id
  description                  = "The copilot API from its clients"
  ip_protocol                  = "tcp"
  from_port                    = 8081
  to_port                      = 8081
  referenced_security_group_id = each.key
}
