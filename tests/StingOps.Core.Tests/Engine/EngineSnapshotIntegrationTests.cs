using System.Text.Json.Nodes;
using StingOps.Core.Common;
using Xunit.Abstractions;

namespace StingOps.Core.Tests.Engine;

/// <summary>Rename, remove and re-create from a snapshot: what -Recreate's rollback rests on.</summary>
[Trait("Category", "Integration")]
public sealed class EngineSnapshotIntegrationTests(DockerEngineFixture fx, ITestOutputHelper output) : IClassFixture<DockerEngineFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [IntegrationFact]
    public async Task Rename_aside_recreate_from_snapshot_and_remove_the_old_one()
    {
        var project = fx.NewProject();
        var name = $"{project}-db-1";
        var oldId = await fx.CreateAsync(project, new TestContainerSpec("db", "sh", "-c", "touch /tmp/ready; exec sleep 600")
        {
            HealthCommand = "test -f /tmp/ready",
            Env = ["DB_MODE=primary"],
            AnonymousVolumes = ["/data"],
        });
        var write = await fx.Engine.ExecAsync(oldId, ["sh", "-c", "echo precious > /data/marker"], TimeSpan.FromSeconds(10), null, CancellationToken.None);
        Assert.Equal(0, write.ExitCode);
        var before = await fx.Engine.InspectAsync(oldId, CancellationToken.None);

        var snapshot = await fx.Engine.GetInspectJsonAsync(oldId, CancellationToken.None);
        Assert.NotNull(snapshot);
        Assert.Equal(oldId, JsonNode.Parse(snapshot)!["Id"]!.GetValue<string>());

        await fx.Engine.StopAsync(oldId, TimeSpan.FromSeconds(5), CancellationToken.None);
        await fx.Engine.RenameAsync(oldId, name + "-stingops-old", CancellationToken.None);
        Assert.Equal(name + "-stingops-old", (await fx.Engine.InspectAsync(oldId, CancellationToken.None))!.Name);

        var newId = await fx.Engine.CreateFromSnapshotAsync(snapshot, name, CancellationToken.None);
        fx.Track(newId);
        Assert.NotEqual(oldId, newId);

        var created = await fx.Engine.InspectAsync(newId, CancellationToken.None);
        Assert.NotNull(created);
        Assert.Equal("created", created.State);
        Assert.Equal(name, created.Name);
        Assert.Equal(before!.Labels, created.Labels);
        Assert.Equal(before.ImageId, created.ImageId);
        Assert.Equal(before.Image, created.Image); // the tag still means the same image, so the name is kept
        Assert.Equal(before.Environment, created.Environment);
        Assert.Equal(before.HealthTest, created.HealthTest);
        Assert.Equal("db", created.Service);

        // Compose finds it by its labels, as it found the old one.
        var listed = await fx.Engine.ListProjectContainersAsync(project, CancellationToken.None);
        Assert.Equal(new[] { newId, oldId }.Order(), listed.Select(c => c.Id).Order());

        var newJson = JsonNode.Parse((await fx.Engine.GetInspectJsonAsync(newId, CancellationToken.None))!)!;
        var oldJson = JsonNode.Parse(snapshot)!;
        Assert.Equal("host", newJson["HostConfig"]!["NetworkMode"]!.GetValue<string>());
        Assert.True(newJson["HostConfig"]!["Init"]!.GetValue<bool>());
        Assert.Equal(oldJson["Config"]!["Cmd"]!.ToJsonString(), newJson["Config"]!["Cmd"]!.ToJsonString());
        Assert.Equal(oldJson["Config"]!["Healthcheck"]!.ToJsonString(), newJson["Config"]!["Healthcheck"]!.ToJsonString());

        await fx.Engine.StartAsync(newId, CancellationToken.None);
        await DockerEngineFixture.WaitForAsync(() => fx.Engine.InspectAsync(newId, CancellationToken.None), d => d?.Health == "healthy", Bound, "the re-created db to be healthy");
        var read = await fx.Engine.ExecAsync(newId, ["cat", "/data/marker"], TimeSpan.FromSeconds(10), null, CancellationToken.None);
        Assert.Equal("precious", read.Output.Trim());

        await fx.Engine.RemoveAsync(oldId, force: true, CancellationToken.None);
        Assert.Null(await fx.Engine.InspectAsync(oldId, CancellationToken.None));
        await fx.Engine.RemoveAsync(oldId, force: true, CancellationToken.None); // gone already: fine
        // Its anonymous volume lives on with the new container.
        Assert.Equal("precious", (await fx.Engine.ExecAsync(newId, ["cat", "/data/marker"], TimeSpan.FromSeconds(10), null, CancellationToken.None)).Output.Trim());
    }

    [IntegrationFact]
    public async Task A_snapshot_pins_the_old_image_when_its_tag_has_moved()
    {
        var project = fx.NewProject();
        var tag = "t" + Guid.NewGuid().ToString("N")[..8];
        var repo = "stingengtest-img";
        await fx.TagAsync(DockerEngineFixture.Image, repo, tag);
        var baseId = await fx.ImageIdAsync(DockerEngineFixture.Image);
        var oldId = await fx.CreateAsync(project, new TestContainerSpec("app", "sleep", "600") { Image = $"{repo}:{tag}", Start = false });
        var snapshot = (await fx.Engine.GetInspectJsonAsync(oldId, CancellationToken.None))!;

        // "compose pull / build" moved the tag to a new image.
        var derivedId = await fx.BuildDerivedImageAsync($"{repo}:{tag}", tag);
        Assert.NotEqual(baseId, derivedId);

        await fx.Engine.RemoveAsync(oldId, force: true, CancellationToken.None);
        var restored = await fx.Engine.CreateFromSnapshotAsync(snapshot, $"{project}-app-1", CancellationToken.None);
        fx.Track(restored);

        var details = await fx.Engine.InspectAsync(restored, CancellationToken.None);
        output.WriteLine($"restored image: {details!.Image} ({details.ImageId})");
        Assert.Equal(baseId, details.ImageId);
        Assert.Equal(baseId, details.Image);
    }

    [IntegrationFact]
    public async Task Renaming_onto_a_taken_name_is_EngineOperationFailed()
    {
        var project = fx.NewProject();
        var a = await fx.CreateAsync(project, new TestContainerSpec("a", "sleep", "600") { Start = false });
        await fx.CreateAsync(project, new TestContainerSpec("b", "sleep", "600") { Start = false });
        var e = await Assert.ThrowsAsync<StingException>(() => fx.Engine.RenameAsync(a, $"{project}-b-1", CancellationToken.None));
        output.WriteLine(e.Message);
        Assert.Equal(ErrorIds.EngineOperationFailed, e.ErrorId);
        Assert.Equal(StingErrorKind.ResourceBusy, e.Kind);
        Assert.Contains($"{project}-b-1", e.Message);

        var missing = await Assert.ThrowsAsync<StingException>(() => fx.Engine.RenameAsync("stingops-no-such-container", "x", CancellationToken.None));
        Assert.Equal(ErrorIds.ContainerNotFound, missing.ErrorId);
    }

    [IntegrationFact]
    public async Task A_snapshot_whose_image_is_gone_is_EngineOperationFailed_not_ContainerNotFound()
    {
        var project = fx.NewProject();
        var id = await fx.CreateAsync(project, new TestContainerSpec("a", "sleep", "600") { Start = false });
        var snapshot = JsonNode.Parse((await fx.Engine.GetInspectJsonAsync(id, CancellationToken.None))!)!;
        snapshot["Image"] = "sha256:" + new string('0', 64);
        snapshot["Config"]!["Image"] = "stingengtest-none:missing";
        var e = await Assert.ThrowsAsync<StingException>(() =>
            fx.Engine.CreateFromSnapshotAsync(snapshot.ToJsonString(), $"{project}-a-restored", CancellationToken.None));
        output.WriteLine(e.Message);
        Assert.Equal(ErrorIds.EngineOperationFailed, e.ErrorId);
        Assert.Equal(StingErrorKind.ObjectNotFound, e.Kind);
        Assert.Contains("image", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [IntegrationFact]
    public async Task Creating_onto_a_taken_name_is_EngineOperationFailed_and_leaves_nothing_behind()
    {
        var project = fx.NewProject();
        var id = await fx.CreateAsync(project, new TestContainerSpec("a", "sleep", "600") { Start = false });
        var snapshot = (await fx.Engine.GetInspectJsonAsync(id, CancellationToken.None))!;
        var e = await Assert.ThrowsAsync<StingException>(() => fx.Engine.CreateFromSnapshotAsync(snapshot, $"{project}-a-1", CancellationToken.None));
        Assert.Equal(ErrorIds.EngineOperationFailed, e.ErrorId);
        Assert.Single(await fx.Engine.ListProjectContainersAsync(project, CancellationToken.None));
    }
}
