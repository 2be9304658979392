# Roles that AWS services assume on the copilot's behalf: ECS's task execution (pull images, write logs, read the
# Temporal database secret) and the knowledge base's (read the corpus, embed, write vectors).

data "aws_iam_policy_document" "execution" {
  # ecr:GetAuthorizationToken supports no resource-level permissions: AWS requires "*" here.
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullImages"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = var.ecr_repository_arns
  }

  # Stream names are made by ECS per task at run time: the log groups' streams are the tightest scope.
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for arn in values(local.log_group_arns) : "${arn}:log-stream:*"]
  }

  statement {
    sid       = "ReadTemporalDatabasePassword"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.temporal_postgres.password_secret_arn]
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-task-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "execution" {
  name   = "copilot-task-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

data "aws_iam_policy_document" "knowledge_base_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["bedrock.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

data "aws_iam_policy_document" "knowledge_base" {
  statement {
    sid       = "Embed"
    actions   = ["bedrock:InvokeModel"]
    resources = [local.embedding_model_arn]
  }

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
    sid       = "ReadCorpus"
    actions   = ["s3:GetObject"]
    resources = [local.corpus_objects_arn]
  }

  statement {
    sid       = "WriteVectors"
    actions   = ["aoss:APIAccessAll"]
    resources = [var.vector_store.collection_arn]
  }
}

resource "aws_iam_role" "knowledge_base" {
  name               = "${var.name}-knowledge-base"
  assume_role_policy = data.aws_iam_policy_document.knowledge_base_assume.json
}

resource "aws_iam_role_policy" "knowledge_base" {
  name   = "copilot-knowledge-base"
  role   = aws_iam_role.knowledge_base.id
  policy = data.aws_iam_policy_document.knowledge_base.json
}
