package geo

// countriesAdded holds the countries added to ISO 3166-1 after the original
// alphabetical numbering (1-239), from id 240 on. Ids are stable forever:
// never renumber, reorder or reuse one. A new country is appended here with
// the next id after the highest ever used (currently 250), whatever its name.
//
// Columns: ID, Alpha2, Alpha3, Name, NameFR, DialCode.
var countriesAdded = []Country{
	{240, "AX", "ALA", "Åland Islands", "Îles Åland", "358"},
	{241, "PS", "PSE", "Palestine", "Palestine", "970"},
	{242, "ME", "MNE", "Montenegro", "Monténégro", "382"},
	{243, "GG", "GGY", "Guernsey", "Guernesey", "44"},
	{244, "IM", "IMN", "Isle of Man", "Île de Man", "44"},
	{245, "JE", "JEY", "Jersey", "Jersey", "44"},
	{246, "SS", "SSD", "South Sudan", "Soudan du Sud", "211"},
	{247, "CW", "CUW", "Curaçao", "Curaçao", "599"},
	{248, "SX", "SXM", "Sint Maarten", "Saint-Martin (partie néerlandaise)", "1"},
	{249, "BL", "BLM", "Saint Barthélemy", "Saint-Barthélemy", "590"},
	{250, "MF", "MAF", "Saint Martin (French part)", "Saint-Martin (partie française)", "590"},
}
