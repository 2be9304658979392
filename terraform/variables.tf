# Where the copilot runs, and what it watches. The `monitored_*` variables are outputs of the deployment of the
# Temporal cluster the copilot observes (its AMP workspace, its Loki); terraform.tfvars.example shows the mapping.

variable "region" {
  description = "Region of the copilot's services, its DSQL store and its knowledge base."
  type        = string
  validation {
    # The default models need the region's us./eu. inference profile (src/config-llm.ts, bedrockProfileGeo).
    condition     = can(regex("^(us|eu)-[a-z]+-[0-9]+$", var.region)) && !startswith(var.region, "us-gov-")
    error_message = "Deploy in a US or EU commercial region: only they have the us./eu. inference profiles the defaults use."
  }
}

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "copilot"
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}

variable "vpc_id" {
  description = "VPC of the copilot's tasks."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets of the tasks (no public IPs; AWS APIs through NAT or VPC endpoints)."
  type        = list(string)
}

variable "api_client_security_group_ids" {
  description = "Security groups allowed to reach the API on its port (Grafana, a load balancer)."
  type        = list(string)
  default     = []
}

variable "api_image" {
  description = "The Dockerfile's `api` image (ECR URI with tag or digest)."
  type        = string
}

variable "worker_image" {
  description = "The Dockerfile's `worker` image."
  type        = string
}

variable "temporal_image" {
  description = "Image of the copilot's own Temporal server; auto-setup creates its schema and namespace at start."
  type        = string
  default     = "temporalio/auto-setup:1.29.1"
}

variable "ecr_repository_arns" {
  description = "ECR repositories the images are pulled from (the execution role may read only these)."
  type        = list(string)
}

# ---- The monitored deployment (its outputs) ----

variable "monitored_cluster_name" {
  description = "Name of the monitored Temporal cluster, as the copilot reports it."
  type        = string
}

variable "monitored_amp_workspace_arn" {
  description = "Output of the monitored deployment: the ARN of the AMP workspace its metrics go to."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:aps:[a-z0-9-]+:[0-9]{12}:workspace/ws-[0-9a-f-]+$", var.monitored_amp_workspace_arn))
    error_message = "Expected arn:aws:aps:<region>:<account>:workspace/ws-…"
  }
}

variable "monitored_selector" {
  description = "PromQL label matchers that select the monitored cluster's series in the workspace (may be empty)."
  type        = string
  default     = ""
}

variable "monitored_loki_url" {
  description = "Output of the monitored deployment: its Loki root URL; null when it has none."
  type        = string
  default     = null
}

variable "monitored_loki_execute_api_arn" {
  description = "When Loki sits behind API Gateway with IAM auth: arn:aws:execute-api:<region>:<account>:<api-id>/<stage>. Null for an unsigned Loki."
  type        = string
  default     = null
}

# ---- The copilot's store ----

variable "dsql_cluster_arn" {
  description = "ARN of the copilot's Aurora DSQL cluster (its state store)."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:dsql:[a-z0-9-]+:[0-9]{12}:cluster/[a-z0-9]+$", var.dsql_cluster_arn))
    error_message = "Expected arn:aws:dsql:<region>:<account>:cluster/<id>."
  }
}

variable "dsql_user" {
  description = "Postgres role the tasks connect as; `admin` needs dsql:DbConnectAdmin, any other dsql:DbConnect."
  type        = string
  default     = "admin"
}

variable "temporal_postgres" {
  description = "Postgres of the copilot's own Temporal server; the password comes from a Secrets Manager secret."
  type = object({
    host                = string
    port                = optional(number, 5432)
    user                = string
    password_secret_arn = string
  })
}

# ---- The explainer and its knowledge base ----

variable "dispatcher_model" {
  description = "Foundation model id of the dispatcher; invoked through the region's us./eu. inference profile. Default as in src/config-llm.ts."
  type        = string
  default     = "anthropic.claude-sonnet-4-5-20250929-v1:0"
}

variable "researcher_model" {
  description = "Foundation model id of the researcher. Default as in src/config-llm.ts."
  type        = string
  default     = "anthropic.claude-opus-4-5-20251101-v1:0"
}

variable "inference_profile_regions" {
  description = "Regions the us./eu. inference profiles route to (InvokeModel is granted on the foundation models there). Null: the geography's usual set in locals.tf; check `aws bedrock get-inference-profile`."
  type        = list(string)
  default     = null
}

variable "corpus_bucket_name" {
  description = "S3 bucket created for the knowledge base corpus (docs/rag, uploaded by `copilot kb sync`)."
  type        = string
}

variable "corpus_prefix" {
  description = "Key prefix of the corpus in the bucket (COPILOT_KB_PREFIX); ends with a slash."
  type        = string
  default     = "rag/"
  validation {
    condition     = can(regex("^[A-Za-z0-9!_.()'-]+(/[A-Za-z0-9!_.()'-]+)*/$", var.corpus_prefix))
    error_message = "A folder-like prefix such as rag/ (no leading slash, one trailing slash)."
  }
}

variable "embedding_model_id" {
  description = "Bedrock embedding model of the knowledge base."
  type        = string
  default     = "amazon.titan-embed-text-v2:0"
}

variable "vector_store" {
  description = "The knowledge base's vector store: an OpenSearch Serverless collection with its vector index already created."
  type = object({
    collection_arn    = string
    vector_index_name = string
    vector_field      = optional(string, "embedding")
    text_field        = optional(string, "text")
    metadata_field    = optional(string, "metadata")
  })
}

variable "kb_sync_principal_arns" {
  description = "IAM principals (a CI role, operators) that may assume the kb-sync role to run `copilot kb sync`."
  type        = list(string)
  default     = []
}

variable "log_retention_days" {
  description = "Retention of the tasks' CloudWatch logs."
  type        = number
  default     = 400
}

variable "log_kms_key_arn" {
  description = "KMS key encrypting the tasks' log groups (its policy must let CloudWatch Logs use it)."
  type        = string
}
