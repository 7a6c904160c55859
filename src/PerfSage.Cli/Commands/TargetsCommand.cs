using System.CommandLine;
using System.Globalization;
using PerfSage.Targets;
using Spectre.Console;

namespace PerfSage.Cli.Commands;

/// <summary><c>perfsage targets [--format table|json|csv]</c>: the target catalog with its key numbers.</summary>
internal static class TargetsCommand
{
    public static Command Create(CliContext context)
    {
        Option<string> format = Formats.Option("table", "json", "csv");
        var command = new Command("targets", "List the target catalog (data/targets/*.json) with each target's key numbers.")
        {
            format,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
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
}
