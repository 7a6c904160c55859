namespace PerfSage.Bench;

/// <summary>
/// One step of the model pipeline that the benchmark times: it takes the file's bytes and returns what it
/// built (kept alive so the work cannot be optimised away). Later phases (e.g. the OpGraph build) are
/// added to <see cref="Phases.All"/>; each is timed on its own, from the same bytes.
/// </summary>
/// <param name="Name">Shown in the report.</param>
/// <param name="Run">The work, from the raw file bytes.</param>
internal sealed record Phase(string Name, Func<byte[], object> Run);
