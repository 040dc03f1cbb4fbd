using StingOps.Core.Common;

namespace StingOps.Core.Tests.Compose;

public class InterpolationInFilesTests
{
    [Fact]
    public void The_process_environment_wins_over_dot_env()
    {
        using var p = new TempProject();
        p.Write(".env", "TAG=fromfile\nONLY_FILE=file\n");
        p.Environment["TAG"] = "fromenv";
        var s = p.LoadYaml("services:\n  s:\n    image: app:${TAG}\n    container_name: ${ONLY_FILE}\n").Find("s")!;
        Assert.Equal("app:fromenv", s.Image);
        Assert.Equal("file", s.ContainerName);
    }

    [Fact]
    public void An_env_file_path_from_an_unset_variable_is_reported_naming_the_variable()
    {
        using var p = new TempProject();
        var s = p.LoadYaml("services:\n  db:\n    image: db\n    env_file: ${STINGOPS_TEST_UNSET_DIR}/env/db.env\n").Find("db")!;

        var reference = Assert.Single(s.EnvFiles);
        Assert.Equal("/env/db.env", reference.Path);
        Assert.Equal(["STINGOPS_TEST_UNSET_DIR"], reference.UnsetVariables);
        var finding = Assert.Single(StingOps.Core.EnvFiles.EnvFileValidator.ValidateFiles(s.EnvFiles).Findings);
        Assert.Equal(StingOps.Core.EnvFiles.EnvFileProblem.FileNotFound, finding.Code);
        Assert.Contains("the variable STINGOPS_TEST_UNSET_DIR, which is not set", finding.Problem);
        Assert.Contains("compose.yaml:4", finding.Problem);
    }

    [Fact]
    public void Every_value_is_interpolated_but_keys_are_not()
    {
        using var p = new TempProject();
        p.Environment["V"] = "x";
        var s = p.LoadYaml("""
            services:
              s:
                image: "${V}"
                environment:
                  ${V}_KEY: ${V}-value
                healthcheck:
                  test: ["CMD", "check", "${V}"]
                  interval: ${INTERVAL:-7s}
                  retries: ${RETRIES:-4}
            """).Find("s")!;
        Assert.Equal("x-value", s.Environment["${V}_KEY"]);
        Assert.Equal(["CMD", "check", "x"], s.HealthCheck!.Test);
        Assert.Equal(TimeSpan.FromSeconds(7), s.HealthCheck.Interval);
        Assert.Equal(4, s.HealthCheck.Retries);
    }

    [Fact]
    public void An_unset_variable_is_empty_and_warned_once_by_name()
    {
        using var p = new TempProject();
        var project = p.LoadYaml("""
            services:
              a: {image: "a${MISSING_TAG}", container_name: "a${MISSING_TAG}"}
              b: {image: "b$MISSING_TAG"}
            """);
        Assert.Equal("a", project.Find("a")!.Image);
        var warning = Assert.Single(project.Warnings);
        Assert.Contains("MISSING_TAG", warning);
        Assert.Contains("compose.yaml:2", warning);
    }

    [Fact]
    public void An_interpolated_empty_value_is_an_empty_string_not_null()
    {
        using var p = new TempProject();
        p.Environment["EMPTY"] = "";
        var s = p.LoadYaml("services:\n  s:\n    image: i\n    environment:\n      E: ${EMPTY}\n").Find("s")!;
        Assert.Equal("", s.Environment["E"]);
    }

    [Fact]
    public void Dollar_dollar_stays_a_literal_dollar()
    {
        using var p = new TempProject();
        var s = p.LoadYaml("services:\n  s:\n    image: i\n    healthcheck:\n      test: echo $$HOSTNAME\n").Find("s")!;
        Assert.Equal(["CMD-SHELL", "echo $HOSTNAME"], s.HealthCheck!.Test);
    }

    [Fact]
    public void A_required_variable_names_the_variable_the_message_and_the_place_but_not_values()
    {
        using var p = new TempProject();
        p.Environment["SECRET"] = "hunter2";
        p.Write("compose.yaml", """
            services:
              s:
                image: i
                environment:
                  TOKEN: ${SECRET}
                  DB_PASSWORD: ${DB_PASSWORD:?the database password is needed}
            """);
        var ex = StingAssert.Fails(() => p.Load(), ErrorIds.InterpolationFailed,
            "compose.yaml:6", "DB_PASSWORD", "the database password is needed", "services.s.environment.DB_PASSWORD");
        Assert.DoesNotContain("hunter2", ex.Message);
    }

    [Fact]
    public void Extension_fields_are_interpolated_too_as_compose_does()
    {
        using var p = new TempProject();
        p.Write("compose.yaml", "x-note: ${NOTE:?needed}\nservices:\n  s: {image: i}\n");
        StingAssert.Fails(() => p.Load(), ErrorIds.InterpolationFailed, "compose.yaml:1", "NOTE");
    }

    [Fact]
    public void Interpolation_inside_anchored_blocks_applies_everywhere_they_are_used()
    {
        using var p = new TempProject();
        p.Environment["LEVEL"] = "debug";
        var project = p.LoadYaml("""
            x-env: &env {LOG_LEVEL: "${LEVEL}"}
            services:
              a: {image: a, environment: *env}
              b: {image: b, environment: *env}
            """);
        Assert.Equal("debug", project.Find("a")!.Environment["LOG_LEVEL"]);
        Assert.Equal("debug", project.Find("b")!.Environment["LOG_LEVEL"]);
    }
}
