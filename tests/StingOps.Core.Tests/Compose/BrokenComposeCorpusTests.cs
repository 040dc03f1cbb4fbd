using StingOps.Core.Common;

namespace StingOps.Core.Tests.Compose;

/// <summary>
/// Broken compose files: each must fail with the right error id and a message that names the place
/// (compose.yaml:line[:column]) and the culprit (service, key, variable).
/// </summary>
public class BrokenComposeCorpusTests
{
    public sealed record Case(string Name, string Yaml, string ErrorId, params string[] Mentions)
    {
        public override string ToString() => Name;
    }

    private const string Invalid = ErrorIds.ComposeFileInvalid;

    public static TheoryData<Case> Cases => new()
    {
        // YAML syntax
        new("unclosed flow sequence", "services:\n  a: {image: a, depends_on: [b, c}\n", Invalid, "compose.yaml:2:"),
        new("bad indentation", "services:\n  a:\n    image: x\n   restart: y\n", Invalid, "compose.yaml:4:"),
        new("tab indentation", "services:\n\ta:\n\t\timage: x\n", Invalid, "compose.yaml:2:"),
        new("unterminated quote", "services:\n  a:\n    image: \"nginx\n", Invalid, "compose.yaml:3:", "quoted scalar"),
        new("mapping value where none is allowed", "services:\n  a:\n    image: a: b\n", Invalid, "compose.yaml:3:"),
        new("duplicate key", "services:\n  a:\n    image: x\n    image: y\n", Invalid, "compose.yaml:4:5", "\"image\" already defined at line 3"),
        new("duplicate service", "services:\n  a: {image: x}\n  a: {image: y}\n", Invalid, "compose.yaml:3:3", "\"a\" already defined at line 2"),
        new("alias to unknown anchor", "services:\n  a:\n    environment: *nope\n", Invalid, "compose.yaml:3:18", "*nope"),
        new("merge key with a scalar", "services:\n  a:\n    <<: 5\n    image: a\n", Invalid, "compose.yaml:3:9", "merge key"),
        new("complex mapping key", "services:\n  ? [a, b]\n  : {image: x}\n", Invalid, "compose.yaml:2:5", "key must be a string"),

        // structure
        new("empty file", "", Invalid, "compose.yaml:1:1", "empty"),
        new("only comments", "# nothing here\n", Invalid, "compose.yaml", "empty"),
        new("top level is a list", "- services\n", Invalid, "compose.yaml:1:1", "top level must be a mapping"),
        new("services is a list", "services:\n  - a\n  - b\n", Invalid, "compose.yaml:2:3", "services must be a mapping"),
        new("service body is a string", "services:\n  web: nginx\n", Invalid, "compose.yaml:2:8", "\"web\"", "must be a mapping"),
        new("service body is null", "services:\n  web:\n  db: {image: d}\n", Invalid, "compose.yaml:2", "\"web\"", "not null"),
        new("service body is a list", "services:\n  web: [image, nginx]\n", Invalid, "compose.yaml:2:8", "\"web\""),
        new("invalid service name", "services:\n  \"my service\": {image: x}\n", Invalid, "compose.yaml:2:3", "my service"),
        new("name is a list", "name: [a]\nservices:\n  a: {image: a}\n", Invalid, "compose.yaml:1:7", "name must be a string"),

        // depends_on
        new("depends_on is a string", "services:\n  a:\n    image: a\n    depends_on: db\n", Invalid, "compose.yaml:4:17", "\"a\"", "depends_on"),
        new("depends_on item is a mapping", "services:\n  a:\n    image: a\n    depends_on:\n      - {db: x}\n  db: {image: d}\n", Invalid, "compose.yaml:5:9", "\"a\"", "depends_on"),
        new("depends_on item is null", "services:\n  a:\n    image: a\n    depends_on:\n      -\n", Invalid, "compose.yaml:5", "\"a\"", "depends_on"),
        new("depends_on unknown condition", "services:\n  a:\n    image: a\n    depends_on:\n      db: {condition: service_ready}\n  db: {image: d}\n", Invalid, "compose.yaml:5:23", "\"a\"", "depends_on.db.condition", "service_ready"),
        new("depends_on options not a mapping", "services:\n  a:\n    image: a\n    depends_on:\n      db: healthy\n  db: {image: d}\n", Invalid, "compose.yaml:5:11", "\"a\"", "depends_on.db"),
        new("depends_on restart not a boolean", "services:\n  a:\n    image: a\n    depends_on:\n      db: {condition: service_started, restart: maybe}\n  db: {image: d}\n", Invalid, "compose.yaml:5:", "\"a\"", "depends_on.db.restart", "maybe"),
        new("undefined dependency (short)", "services:\n  app:\n    image: a\n    depends_on: [db]\n", ErrorIds.UndefinedDependency, "compose.yaml:4:18", "\"app\"", "\"db\""),
        new("undefined dependency (long)", "services:\n  app:\n    image: a\n    depends_on:\n      vault: {condition: service_healthy}\n", ErrorIds.UndefinedDependency, "compose.yaml:5:7", "\"app\"", "\"vault\""),

        // healthcheck
        new("bad interval", "services:\n  a:\n    image: a\n    healthcheck:\n      interval: 10 sec\n", Invalid, "compose.yaml:5:17", "\"a\"", "healthcheck.interval", "10 sec"),
        new("bad timeout unit", "services:\n  a:\n    image: a\n    healthcheck:\n      timeout: 5d\n", Invalid, "compose.yaml:5:16", "healthcheck.timeout"),
        new("retries not an int", "services:\n  a:\n    image: a\n    healthcheck:\n      retries: many\n", Invalid, "compose.yaml:5:16", "\"a\"", "healthcheck.retries", "many"),
        new("retries negative", "services:\n  a:\n    image: a\n    healthcheck:\n      retries: -1\n", Invalid, "compose.yaml:5:16", "healthcheck.retries"),
        new("retries fractional", "services:\n  a:\n    image: a\n    healthcheck:\n      retries: 2.5\n", Invalid, "compose.yaml:5:16", "healthcheck.retries"),
        new("test without CMD", "services:\n  a:\n    image: a\n    healthcheck:\n      test: [\"RUN\", \"x\"]\n", Invalid, "compose.yaml:5:14", "\"a\"", "CMD-SHELL", "RUN"),
        new("test is a mapping", "services:\n  a:\n    image: a\n    healthcheck:\n      test: {cmd: x}\n", Invalid, "compose.yaml:5:13", "healthcheck.test"),
        new("healthcheck is a list", "services:\n  a:\n    image: a\n    healthcheck: [CMD, x]\n", Invalid, "compose.yaml:4:18", "\"a\"", "healthcheck must be a mapping"),
        new("disable not a boolean", "services:\n  a:\n    image: a\n    healthcheck:\n      disable: sometimes\n", Invalid, "compose.yaml:5:16", "healthcheck.disable"),
        new("bad stop_grace_period", "services:\n  a:\n    image: a\n    stop_grace_period: soon\n", Invalid, "compose.yaml:4:24", "\"a\"", "stop_grace_period", "soon"),

        // other keys we read
        new("environment is a string", "services:\n  a:\n    image: a\n    environment: A=1\n", Invalid, "compose.yaml:4:18", "\"a\"", "environment"),
        new("environment value is a mapping", "services:\n  a:\n    image: a\n    environment:\n      DB: {host: x}\n", Invalid, "compose.yaml:5:11", "environment.DB"),
        new("environment entry without a name", "services:\n  a:\n    image: a\n    environment: [\"=value\"]\n", Invalid, "compose.yaml:4:19", "environment"),
        new("env_file mapping without path", "services:\n  a:\n    image: a\n    env_file:\n      - required: false\n", Invalid, "compose.yaml:5:9", "\"a\"", "path"),
        new("env_file required not a boolean", "services:\n  a:\n    image: a\n    env_file:\n      - {path: x.env, required: perhaps}\n", Invalid, "compose.yaml:5:", "env_file.required"),
        new("env_file is a mapping", "services:\n  a:\n    image: a\n    env_file: {path: x}\n", Invalid, "compose.yaml:4:15", "env_file"),
        new("image is a list", "services:\n  a:\n    image: [nginx]\n", Invalid, "compose.yaml:3:12", "\"a\"", "image must be a string"),
        new("container_name is a mapping", "services:\n  a:\n    image: a\n    container_name: {x: y}\n", Invalid, "compose.yaml:4:21", "container_name"),
        new("profiles is a mapping", "services:\n  a:\n    image: a\n    profiles: {debug: true}\n", Invalid, "compose.yaml:4:15", "\"a\"", "profiles"),
        new("build is a list", "services:\n  a:\n    build: [., Dockerfile]\n", Invalid, "compose.yaml:3:12", "\"a\"", "build"),
        new("extends is a number list", "services:\n  a:\n    extends: [1]\n", Invalid, "compose.yaml:3:14", "\"a\"", "extends"),

        new("replicas not a number", "services:\n  a:\n    image: a\n    deploy:\n      replicas: two\n", Invalid, "compose.yaml:5:17", "\"a\"", "deploy.replicas", "two"),

        // interpolation
        new("required variable", "services:\n  a:\n    image: \"app:${APP_TAG:?set APP_TAG in .env}\"\n", ErrorIds.InterpolationFailed, "compose.yaml:3:12", "APP_TAG", "set APP_TAG in .env", "services.a.image"),
        new("required variable set-check form", "services:\n  a:\n    image: a\n    environment:\n      - KEY=${API_KEY?}\n", ErrorIds.InterpolationFailed, "compose.yaml:5:9", "API_KEY", "services.a.environment[0]"),
        new("invalid template", "services:\n  a:\n    image: a\n    command: echo ${\n", ErrorIds.InterpolationFailed, "compose.yaml:4:14", "invalid interpolation format", "services.a.command"),
        new("invalid variable name", "services:\n  a:\n    image: ${1TAG}\n", ErrorIds.InterpolationFailed, "compose.yaml:3:12", "invalid interpolation format"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fails_with_id_and_names_the_culprit(Case broken)
    {
        using var p = new TempProject();
        p.Write("compose.yaml", broken.Yaml);
        StingAssert.Fails(() => p.Load(), broken.ErrorId, broken.Mentions);
    }

    [Fact]
    public void The_corpus_is_large_enough()
    {
        Assert.True(Cases.Count >= 25);
    }
}
