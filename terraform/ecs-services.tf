locals {
  env_list = { for service, env in { worker = local.worker_env, api = local.api_env } : service => [
    for name in sort(keys(env)) : { name = name, value = env[name] }
  ] }
  log_configuration = { for service in local.services : service => {
    logDriver = "awslogs"
    options = {
      awslogs-group         = aws_cloudwatch_log_group.task[service].name
      awslogs-region        = var.region
      awslogs-stream-prefix = service
    }
  } }
  # The images' own HEALTHCHECKs (Dockerfile), repeated because ECS ignores a Dockerfile HEALTHCHECK.
  health_checks = {
    api = ["CMD", "/app/copilot", "healthcheck"]
    worker = ["CMD", "node", "-e",
    "fetch('http://127.0.0.1:'+(process.env.COPILOT_WORKER_METRICS_PORT||9464)+'/metrics',{signal:AbortSignal.timeout(3000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
  }
  task_roles = {
    temporal = aws_iam_role.temporal.arn
    worker   = aws_iam_role.worker.arn
    api      = aws_iam_role.api.arn
  }
  containers = {
    temporal = {
      image                  = var.temporal_image
      readonlyRootFilesystem = false
      portMappings           = [{ name = "temporal", containerPort = 7233, protocol = "tcp" }]
      environment = [
        { name = "DB", value = "postgres12" },
        { name = "DB_PORT", value = tostring(var.temporal_postgres.port) },
        { name = "POSTGRES_SEEDS", value = var.temporal_postgres.host },
        { name = "POSTGRES_USER", value = var.temporal_postgres.user },
        { name = "SQL_TLS_ENABLED", value = "true" },
      ]
      secrets = [{ name = "POSTGRES_PWD", valueFrom = var.temporal_postgres.password_secret_arn }]
    }
    worker = {
      image                  = var.worker_image
      readonlyRootFilesystem = true
      portMappings           = []
      environment            = local.env_list["worker"]
      secrets                = []
      healthCheck            = { command = local.health_checks["worker"], interval = 30, timeout = 5, retries = 3, startPeriod = 60 }
    }
    api = {
      image                  = var.api_image
      readonlyRootFilesystem = true
      portMappings           = [{ name = "api", containerPort = 8081, protocol = "tcp" }]
      environment            = local.env_list["api"]
      secrets                = []
      healthCheck            = { command = local.health_checks["api"], interval = 30, timeout = 5, retries = 3, startPeriod = 20 }
    }
  }
  sizes = {
    temporal = { cpu = 512, memory = 1024 }
    worker   = { cpu = 512, memory = 1024 }
    api      = { cpu = 256, memory = 512 }
  }
}

resource "aws_ecs_task_definition" "service" {
  #checkov:skip=CKV_AWS_336:The Temporal server image renders its config into /etc/temporal at start and cannot run read-only; the api and worker containers are read-only (readonlyRootFilesystem below).
  for_each                 = local.services
  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = local.sizes[each.key].cpu
  memory                   = local.sizes[each.key].memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = local.task_roles[each.key]
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
  container_definitions = jsonencode([merge(local.containers[each.key], {
    name             = each.key
    essential        = true
    privileged       = false
    logConfiguration = local.log_configuration[each.key]
  })])
}

resource "aws_ecs_service" "service" {
  for_each         = local.services
  name             = each.key
  cluster          = aws_ecs_cluster.copilot.id
  task_definition  = aws_ecs_task_definition.service[each.key].arn
  launch_type      = "FARGATE"
  platform_version = "LATEST"
  # One of each: the worker's workflows are idempotent per cluster, and the API is a read model.
  desired_count = 1
  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks[each.key].id]
    assign_public_ip = false
  }
  service_connect_configuration {
    enabled   = true
    namespace = aws_service_discovery_http_namespace.copilot.arn
    dynamic "service" {
      for_each = each.key == "worker" ? [] : [each.key]
      content {
        port_name      = each.key
        discovery_name = each.key == "api" ? "copilot-api" : "temporal"
        client_alias {
          port     = each.key == "api" ? 8081 : 7233
          dns_name = each.key == "api" ? "copilot-api" : "temporal"
        }
      }
    }
  }
}
