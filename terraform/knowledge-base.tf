# The Bedrock knowledge base the explainer retrieves from (COPILOT_KB_ID), fed from docs/rag through an S3 data
# source that `copilot kb sync` uploads to. The vector store is the caller's (var.vector_store).

resource "aws_s3_bucket" "corpus" {
  #checkov:skip=CKV_AWS_145:The corpus is docs/rag from the public repository; SSE-S3 encrypts it at rest without granting kms actions to every reader and writer of it.
  #checkov:skip=CKV_AWS_144:A rebuildable copy of files in git (kb sync re-uploads them): cross-region replication would guard nothing.
  #checkov:skip=CKV_AWS_18:Access logging of a bucket of public documents adds a second bucket and cost for no audit need; CloudTrail data events can be enabled account-wide instead.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to corpus uploads: ingestion jobs are started explicitly by copilot kb start-ingestion.
  bucket = var.corpus_bucket_name
}

resource "aws_s3_bucket_public_access_block" "corpus" {
  bucket                  = aws_s3_bucket.corpus.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "corpus" {
  bucket = aws_s3_bucket.corpus.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "corpus" {
  bucket = aws_s3_bucket.corpus.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "corpus" {
  bucket = aws_s3_bucket.corpus.id
  rule {
    id     = "expire-replaced-corpus-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_bedrockagent_knowledge_base" "corpus" {
  name     = "${var.name}-corpus"
  role_arn = aws_iam_role.knowledge_base.arn
  knowledge_base_configuration {
    type = "VECTOR"
    vector_knowledge_base_configuration {
      embedding_model_arn = local.embedding_model_arn
    }
  }
  storage_configuration {
    type = "OPENSEARCH_SERVERLESS"
    opensearch_serverless_configuration {
      collection_arn    = var.vector_store.collection_arn
      vector_index_name = var.vector_store.vector_index_name
      field_mapping {
        vector_field   = var.vector_store.vector_field
        text_field     = var.vector_store.text_field
        metadata_field = var.vector_store.metadata_field
      }
    }
  }
  depends_on = [aws_iam_role_policy.knowledge_base]
}

resource "aws_bedrockagent_data_source" "corpus" {
  name              = "${var.name}-docs-rag"
  knowledge_base_id = aws_bedrockagent_knowledge_base.corpus.id
  # Files removed from docs/rag are removed from the index when the next ingestion job runs.
  data_deletion_policy = "DELETE"
  data_source_configuration {
    type = "S3"
    s3_configuration {
      bucket_arn         = aws_s3_bucket.corpus.arn
      inclusion_prefixes = [var.corpus_prefix]
    }
  }
}
