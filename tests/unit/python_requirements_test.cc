#include "packages/python_requirements.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace millrace::packages {
namespace {

using Reqs = std::vector<std::string>;

TEST(PythonRequirementsTest, TopLevelImportsNameTheirDistributions) {
  EXPECT_EQ(python_requirements("import requests\n"
                                "import yaml, os\n"
                                "from PIL import Image\n"
                                "from bs4 import BeautifulSoup  # parsing\n"
                                "import dateutil.parser as dp\n"
                                "import google.cloud.storage\n"
                                "from sklearn.linear_model import LinearRegression\n"
                                "\n"
                                "def main():\n"
                                "    import numpy  # not top-level: not read\n"),
            (Reqs{"requests", "PyYAML", "Pillow", "beautifulsoup4", "python-dateutil",
                  "google-cloud-storage", "scikit-learn"}));
}

TEST(PythonRequirementsTest, StandardLibraryWmillAndRelativeImportsNeedNothing) {
  EXPECT_EQ(python_requirements("import json, os.path, sys\n"
                                "from __future__ import annotations\n"
                                "from collections import OrderedDict\n"
                                "import wmill\n"
                                "from . import helper\n"
                                "from .x import y\n"),
            Reqs{});
}

TEST(PythonRequirementsTest, EachDistributionOnceInOrder) {
  EXPECT_EQ(python_requirements("import stripe\nimport yaml\nfrom stripe import Charge\n"
                                "import stripe.error\n"),
            (Reqs{"stripe", "PyYAML"}));
}

TEST(PythonRequirementsTest, ARequirementsBlockReplacesInference) {
  EXPECT_EQ(python_requirements("# requirements:\n"
                                "# requests==2.31.0\n"
                                "# pandas[excel]>=2\n"
                                "#\n"
                                "import yaml\n"),
            (Reqs{"requests==2.31.0", "pandas[excel]>=2"}));
  EXPECT_EQ(python_requirements("#requirements:\n#httpx\nimport httpx\n"), Reqs{"httpx"});
}

TEST(PythonRequirementsTest, AnExtraRequirementsBlockAddsToInferenceAndPinsWhatItNames) {
  EXPECT_EQ(python_requirements("# extra_requirements:\n"
                                "# psycopg2-binary==2.9.9\n"
                                "# uvloop\n"
                                "import requests\n"
                                "import psycopg2\n"),
            (Reqs{"requests", "psycopg2-binary==2.9.9", "uvloop"}));
}

TEST(PythonRequirementsTest, ImportsInsideStringsAreNotRead) {
  EXPECT_EQ(python_requirements("HELP = \"\"\"\n"
                                "import not_a_package\n"
                                "\"\"\"\n"
                                "import requests\n"),
            Reqs{"requests"});
}

TEST(PythonRequirementsTest, DistributionOfADottedImportIsItsLongestListedPrefix) {
  EXPECT_EQ(python_distribution("google.cloud.bigquery.client"), "google-cloud-bigquery");
  EXPECT_EQ(python_distribution("google.protobuf"), "protobuf");
  EXPECT_EQ(python_distribution("stripe.error"), "stripe");
  EXPECT_EQ(python_distribution("yaml"), "PyYAML");
  EXPECT_EQ(python_distribution("asyncio"), "");
  EXPECT_EQ(python_distribution("wmill"), "");
}

}  // namespace
}  // namespace millrace::packages
