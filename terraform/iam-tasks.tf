# The copilot's own principals, each granted exactly the AWS actions its code calls (src/models/aws-actions.ts,
# checked by test/deploy/terraform-iam.test.ts), on exactly the resources of this deployment.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

# ---- worker: observes the monitored cluster, explains with Bedrock, stores in DSQL ----

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "QueryMonitoredMetrics"
    actions   = ["aps:QueryMetrics", "aps:GetLabels"]
    resources = [var.monitored_amp_workspace_arn]
  }

  dynamic "statement" {
    for_each = local.loki_signed ? [1] : []
    content {
      sid       = "QueryMonitoredLogs"
      actions   = ["execute-api:Invoke"]
      resources = local.loki_route_arns
    }
  }

  statement {
    sid       = "InvokeThroughInferenceProfiles"
    actions   = ["bedrock:InvokeModel"]
    resources = local.inference_profile_arns
  }

  # A cross-region profile invokes the foundation model in whichever destination region it picks; the condition
  # allows that only through this deployment's profiles, never a direct on-demand call.
  statement {
    sid       = "InvokeFoundationModelsViaProfiles"
    actions   = ["bedrock:InvokeModel"]
    resources = local.foundation_model_arns
    condition {
      test     = "StringEquals"
      variable = "bedrock:InferenceProfileArn"
      values   = local.inference_profile_arns
    }
  }

  statement {
    sid       = "RetrieveFromKnowledgeBase"
    actions   = ["bedrock:Retrieve"]
    resources = [local.knowledge_base_arn]
  }

  statement {
    sid       = "ConnectToStore"
    actions   = [local.dsql_admin ? "dsql:DbConnectAdmin" : "dsql:DbConnect"]
    resources = [var.dsql_cluster_arn]
  }
}

resource "aws_iam_role" "worker" {
  name               = "${var.name}-worker"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "worker" {
  name   = "copilot-worker"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

# ---- api: reads the store ----

data "aws_iam_policy_document" "api" {
  statement {
    sid       = "ConnectToStore"
    actions   = [local.dsql_admin ? "dsql:DbConnectAdmin" : "dsql:DbConnect"]
    resources = [var.dsql_cluster_arn]
  }
}

resource "aws_iam_role" "api" {
  name               = "${var.name}-api"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "api" {
  name   = "copilot-api"
  role   = aws_iam_role.api.id
  policy = data.aws_iam_policy_document.api.json
}

# ---- temporal: the copilot's own Temporal server calls no AWS API; its role holds no policy ----

resource "aws_iam_role" "temporal" {
  name               = "${var.name}-temporal"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

# ---- kb-sync: `copilot kb sync | start-ingestion | status | list-jobs | search`, run by CI or an operator ----

data "aws_iam_policy_document" "kb_sync_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.kb_sync_principal_arns
    }
  }
}

data "aws_iam_policy_document" "kb_sync" {
  statement {
    sid       = "SyncCorpus"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
    resources = [local.corpus_objects_arn]
  }

  # ListObjectsV2 under the prefix only. kb sync HEADs only keys its listing holds, so HeadObject never needs an
  # unconditioned ListBucket to see a missing key as 404 (a HEAD carries no s3:prefix for a condition to match).
  statement {
    sid       = "ListCorpus"
    actions   = ["s3:ListBucket"]
    resources = [local.corpus_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.corpus_prefix}*"]
    }
  }

  statement {
    sid = "RunIngestionJobs"
    actions = [
      "bedrock:StartIngestionJob",
      "bedrock:GetIngestionJob",
      "bedrock:ListIngestionJobs",
      "bedrock:Retrieve",
    ]
    resources = [local.knowledge_base_arn]
  }
}

resource "aws_iam_role" "kb_sync" {
  count              = length(var.kb_sync_principal_arns) > 0 ? 1 : 0
  name               = "${var.name}-kb-sync"
  assume_role_policy = data.aws_iam_policy_document.kb_sync_assume.json
}

resource "aws_iam_role_policy" "kb_sync" {
  count  = length(var.kb_sync_principal_arns) > 0 ? 1 : 0
  name   = "copilot-kb-sync"
  role   = aws_iam_role.kb_sync[0].id
  policy = data.aws_iam_policy_document.kb_sync.json
}
