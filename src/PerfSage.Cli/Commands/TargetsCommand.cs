using System.CommandLine;
using System.Globalization;
using PerfSage.Targets;
using Spectre.Console;

namespace PerfSage.Cli.Commands;

/// <summary><c>perfsage targets [--boards] [--format table|json|csv]</c>: the target catalog (or the board presets) with
/// their key numbers.</summary>
internal static class TargetsCommand
{
    public static Command Create(CliContext context)
    {
        Option<string> format = Formats.Option("table", "json", "csv");
        var boards = new Option<bool>("--boards") { Description = "List the board presets (data/boards/*.json) instead, for --board." };
        var command = new Command("targets", "List the target catalog (data/targets/*.json) with each target's key numbers.")
        {
            format, boards,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            if (parse.GetValue(boards))
            {
                WriteBoards(context, parse.GetValue(format)!);
                return ExitCodes.Ok;
            }
            TargetCatalog catalog = TargetCatalog.LoadDefault();
            switch (parse.GetValue(format))
            {
                case "json":
                    Output.WriteJson(context.Stdout, json =>
                    {
                        json.WriteStartArray();
                        foreach (TargetSpec t in catalog.Targets)
                        {
                            json.WriteStartObject();
                            json.WriteString("id", t.Id);
                            json.WriteString("name", t.Name);
                            json.WriteString("family", TargetSpec.FamilyName(t.Family));
                            json.WriteNumber("clock_mhz", t.ClockMhz.Value);
                            json.WriteString("description", t.Description);
                            json.WriteStartObject("summary");
                            foreach ((string key, string value) in t.Summary)
                            {
                                json.WriteString(key, value);
                            }
                            json.WriteEndObject();
                            json.WriteEndObject();
                        }
                        json.WriteEndArray();
                    });
                    break;
                case "csv":
                    using (var csv = Csv.Create(context.Stdout))
                    {
                        Csv.Header(csv, "id", "name", "family", "clock_mhz", "key", "value");
                        foreach (TargetSpec t in catalog.Targets)
                        {
                            foreach ((string key, string value) in t.Summary)
                            {
                                csv.WriteField((object?)t.Id);
                                csv.WriteField((object?)t.Name);
                                csv.WriteField((object?)TargetSpec.FamilyName(t.Family));
                                csv.WriteField((object?)t.ClockMhz.Value);
                                csv.WriteField((object?)key);
                                csv.WriteField((object?)value);
                                csv.EndRecord();
                            }
                        }
                    }
                    break;
                default:
                    IAnsiConsole console = Output.Console(context.Stdout);
                    Table table = Output.NewTable("id", "family", "clock [MHz]", "key numbers");
                    foreach (TargetSpec t in catalog.Targets)
                    {
                        Output.AddRow(table, t.Id, TargetSpec.FamilyName(t.Family), Output.Num(t.ClockMhz.Value, 0),
                            string.Join("; ", t.Summary.Select(kv => $"{kv.Key} {kv.Value}")));
                    }
                    console.Write(table);
                    console.WriteLine($"Catalog: {catalog.Directory}. Every number's source is in the target's JSON file.");
                    break;
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void WriteBoards(CliContext context, string format)
    {
        BoardCatalog catalog = BoardCatalog.LoadDefault();
        switch (format)
        {
            case "json":
                Output.WriteJson(context.Stdout, json =>
                {
                    json.WriteStartArray();
                    foreach (Board b in catalog.Boards)
                    {
                        json.WriteStartObject();
                        json.WriteString("board", b.Id);
                        json.WriteString("name", b.Name);
                        json.WriteString("part", b.Part);
                        json.WriteString("core", b.Core);
                        json.WriteString("target", b.TargetId);
                        json.WriteNumber("clock_mhz", b.ClockMhz.Value);
                        json.WriteNumber("sram_kb", b.SramKb.Value);
                        json.WriteNumber("flash_kb", b.FlashKb.Value);
                        if (b.FlashWaitStates is not null)
                        {
                            json.WriteNumber("flash_wait_states", b.FlashWaitStates.Value);
                        }
                        json.WriteNumber("power_mw", b.PowerMw(b.ClockMhz.Value));
                        json.WriteString("calibration", b.MlperfRows);
                        json.WriteStartObject("summary");
                        foreach ((string key, string value) in b.Summary)
                        {
                            json.WriteString(key, value);
                        }
                        json.WriteEndObject();
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                });
                break;
            case "csv":
                using (var csv = Csv.Create(context.Stdout))
                {
                    Csv.Header(csv, "board", "part", "core", "target", "clock_mhz", "sram_kb", "flash_kb", "flash_wait_states", "power_mw", "calibration");
                    foreach (Board b in catalog.Boards)
                    {
                        csv.WriteField(b.Id);
                        csv.WriteField(b.Part);
                        csv.WriteField(b.Core);
                        csv.WriteField(b.TargetId);
                        csv.WriteField((object?)b.ClockMhz.Value);
                        csv.WriteField((object?)b.SramKb.Value);
                        csv.WriteField((object?)b.FlashKb.Value);
                        csv.WriteField((object?)b.FlashWaitStates?.Value);
                        csv.WriteField((object?)b.PowerMw(b.ClockMhz.Value));
                        csv.WriteField(b.MlperfRows);
                        csv.EndRecord();
                    }
                }
                break;
            default:
                IAnsiConsole console = Output.Console(context.Stdout);
                Table table = Output.NewTable("board", "part", "target", "clock [MHz]", "SRAM [kB]", "flash [kB]", "wait states", "power [mW]", "calibration");
                foreach (Board b in catalog.Boards)
                {
                    Output.AddRow(table, b.Id, b.Part, b.TargetId, Output.Num(b.ClockMhz.Value, 0), Output.Num(b.SramKb.Value, 0),
                        Output.Num(b.FlashKb.Value, 0), b.FlashWaitStates is null ? "-" : Output.Num(b.FlashWaitStates.Value, 0),
                        Output.Num(b.PowerMw(b.ClockMhz.Value), 1), b.MlperfRows.Length > 0 ? "MLPerf Tiny rows" : "data sheet only");
                }
                console.Write(table);
                console.WriteLine($"Boards: {catalog.Directory}. Every number's source is in the board's JSON file (docs/BOARDS.md).");
                break;
        }
    }
}
