"""Seed the job marketplace (issue 6) on top of the network seed (bench/seed.py), with bulk inserts.

`services.vacancy_create`/`translation_save` audit every write: far too slow here, so the rows are built
with every field and inserted with bulk_create.

Shape (deterministic, random.Random(SEED)):
- 20,000 vacancies posted by 600 suppliers (at one of their own sites, in that site's country) and 150
  recruitment agencies (no site) of the network seed; countries weighted towards the destinations (TH,
  MY), industries from the supplier's own;
- each written in one of en/th/my/km/ne (real script; positions and a few phrases varied: numbers of
  hours, days, weeks, meals), every free-text field filled as a poster would (a few left blank);
- ~85 % published, ~10 % closed, ~5 % draft; zero-fee ~72 %, itemised ~28 % with 1-3 VacancyFee rows
  (a draft may not have decided yet: no fee model);
- each with 1-4 VacancyTranslation rows in other of the 5 languages.

`seed_jobs(seeded, stop=N)` inserts the first N vacancies of that stream and returns; called again with a
larger `stop`, it inserts the next ones (the same rows as one call would), so the benchmark can count
queries at 2,000 vacancies and again at 20,000. Each call ends with ANALYZE of the jobs tables.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

SEED = 20260612
VACANCIES = 20_000
SUPPLIERS = 600
AGENCIES = 150
LANGUAGES = ("en", "th", "my", "km", "ne")
WRITTEN_IN = [("en", 30), ("th", 30), ("my", 15), ("km", 13), ("ne", 12)]
COUNTRY_WEIGHTS = [("TH", 45), ("MY", 25), ("KH", 8), ("MM", 7), ("VN", 6), ("LA", 5), ("NP", 4)]
CURRENCY = {"TH": "THB", "MY": "MYR", "KH": "USD", "MM": "MMK", "VN": "VND", "LA": "LAK", "NP": "NPR"}
MONTHLY_WAGE = {
    "TH": (10_000, 16_000),
    "MY": (1_500, 2_400),
    "KH": (200, 320),
    "MM": (250_000, 450_000),
    "VN": (4_500_000, 8_000_000),
    "LA": (1_600_000, 2_500_000),
    "NP": (17_000, 30_000),
}
INDUSTRIES = ["seafood", "agriculture", "poultry", "palm_oil", "apparel_footwear", "electronics", "household_goods"]

# One entry per field: variants aligned across languages (a translation says what the original says).
# {n} is varied per vacancy (hours, days, weeks, meals, people per room).
POSITIONS: dict[str, list[str]] = {
    "en": [
        "Seafood processing worker",
        "Sewing machine operator",
        "Poultry line worker",
        "Palm oil harvester",
        "Electronics assembly operator",
        "Warehouse packer",
        "Fishing vessel crew",
        "Quality control inspector",
    ],
    "th": [
        "พนักงานแปรรูปอาหารทะเล",
        "พนักงานเย็บผ้า",
        "พนักงานสายการผลิตไก่",
        "คนงานเก็บเกี่ยวปาล์มน้ำมัน",
        "พนักงานประกอบชิ้นส่วนอิเล็กทรอนิกส์",
        "พนักงานแพ็คสินค้าในคลัง",
        "ลูกเรือประมง",
        "พนักงานตรวจสอบคุณภาพ",
    ],
    "my": [
        "ပင်လယ်စာ ထုတ်လုပ်ရေး အလုပ်သမား",
        "အပ်ချုပ်စက် အော်ပရေတာ",
        "ကြက်သား ထုတ်လုပ်ရေးလိုင်း အလုပ်သမား",
        "ဆီအုန်း ရိတ်သိမ်းသူ",
        "အီလက်ထရောနစ် တပ်ဆင်ရေး အော်ပရေတာ",
        "ဂိုဒေါင် ထုပ်ပိုးသူ",
        "ငါးဖမ်းလှေ သင်္ဘောသား",
        "အရည်အသွေး စစ်ဆေးသူ",
    ],
    "km": [
        "កម្មករកែច្នៃអាហារសមុទ្រ",
        "ប្រតិបត្តិករម៉ាស៊ីនដេរ",
        "កម្មករខ្សែសង្វាក់ផលិតសាច់មាន់",
        "កម្មករប្រមូលផលដូងប្រេង",
        "ប្រតិបត្តិករដំឡើងគ្រឿងអេឡិចត្រូនិច",
        "កម្មករវេចខ្ចប់ក្នុងឃ្លាំង",
        "នាវិកទូកនេសាទ",
        "អ្នកត្រួតពិនិត្យគុណភាព",
    ],
    "ne": [
        "समुद्री खाद्य प्रशोधन कामदार",
        "सिलाई मेसिन सञ्चालक",
        "कुखुरा उत्पादन लाइन कामदार",
        "पाम तेल बाली काट्ने कामदार",
        "इलेक्ट्रोनिक्स जडान सञ्चालक",
        "गोदाम प्याकर",
        "माछा मार्ने डुङ्गाको चालक दल",
        "गुणस्तर निरीक्षक",
    ],
}
TEXTS: dict[str, dict[str, list[str]]] = {
    "overtime": {
        "en": [
            "Overtime is paid at 1.5 times the hourly rate, at most {n} hours a week, and is always voluntary.",
            "Overtime on holidays is paid at 3 times the hourly rate. Nobody is punished for refusing overtime.",
        ],
        "th": [
            "ค่าล่วงเวลา 1.5 เท่าของค่าจ้างรายชั่วโมง ไม่เกินสัปดาห์ละ {n} ชั่วโมง และเป็นไปโดยสมัครใจเสมอ",
            "ทำงานล่วงเวลาในวันหยุดได้ค่าจ้าง 3 เท่า ไม่มีใครถูกลงโทษเพราะปฏิเสธการทำงานล่วงเวลา",
        ],
        "my": [
            "အချိန်ပိုကို တစ်နာရီလုပ်ခ၏ ၁.၅ ဆ ပေးသည်။ တစ်ပတ်လျှင် {n} နာရီထက် မပိုရ၊ အမြဲ ဆန္ဒအလျောက် ဖြစ်သည်။",
            "ရုံးပိတ်ရက် အချိန်ပိုကို ၃ ဆ ပေးသည်။ အချိန်ပို မလုပ်လိုသူကို အပြစ်မပေးပါ။",
        ],
        "km": [
            "ម៉ោងបន្ថែមបង់ ១.៥ ដងនៃប្រាក់ឈ្នួលក្នុងមួយម៉ោង មិនលើសពី {n} ម៉ោងក្នុងមួយសប្តាហ៍ ហើយតែងតែស្ម័គ្រចិត្ត។",
            "ម៉ោងបន្ថែមនៅថ្ងៃបុណ្យបង់ ៣ ដង។ គ្មាននរណាម្នាក់ត្រូវបានដាក់ទណ្ឌកម្មដោយសារបដិសេធម៉ោងបន្ថែមទេ។",
        ],
        "ne": [
            "ओभरटाइम प्रति घण्टा ज्यालाको १.५ गुणा, हप्तामा बढीमा {n} घण्टा, र सधैं स्वेच्छिक।",
            "बिदाको दिनको ओभरटाइम ३ गुणा दरमा। ओभरटाइम अस्वीकार गर्नेलाई कुनै सजाय हुँदैन।",
        ],
    },
    "days_off": {
        "en": [
            "One day off every week (Sunday) and {n} paid public holidays a year.",
            "Two days off a week on a rota; {n} days of paid annual leave after the first year.",
        ],
        "th": [
            "หยุดสัปดาห์ละ 1 วัน (วันอาทิตย์) และวันหยุดนักขัตฤกษ์ปีละ {n} วัน ได้รับค่าจ้าง",
            "หยุดสัปดาห์ละ 2 วันตามตารางเวร ลาพักร้อนได้ {n} วันโดยได้รับค่าจ้างหลังทำงานครบปีแรก",
        ],
        "my": [
            "တစ်ပတ်လျှင် တစ်ရက် (တနင်္ဂနွေ) နားရက်နှင့် တစ်နှစ်လျှင် လစာပေး အစိုးရရုံးပိတ်ရက် {n} ရက်။",
            "အလှည့်ကျ တစ်ပတ်လျှင် နှစ်ရက် နားရက်၊ ပထမနှစ်ပြီးလျှင် လစာပေး ခွင့် {n} ရက်။",
        ],
        "km": [
            "ឈប់សម្រាកមួយថ្ងៃរៀងរាល់សប្តាហ៍ (ថ្ងៃអាទិត្យ) និងថ្ងៃបុណ្យសាធារណៈ {n} ថ្ងៃក្នុងមួយឆ្នាំ ដោយមានប្រាក់ឈ្នួល។",
            "ឈប់សម្រាកពីរថ្ងៃក្នុងមួយសប្តាហ៍តាមវេន ច្បាប់ប្រចាំឆ្នាំ {n} ថ្ងៃមានប្រាក់ឈ្នួល បន្ទាប់ពីឆ្នាំដំបូង។",
        ],
        "ne": [
            "हरेक हप्ता एक दिन बिदा (आइतबार) र वर्षमा {n} दिन तलबी सार्वजनिक बिदा।",
            "पालो अनुसार हप्तामा दुई दिन बिदा; पहिलो वर्षपछि {n} दिन तलबी वार्षिक बिदा।",
        ],
    },
    "contract_length": {
        "en": ["{n} years, renewable", "{n} months, then permanent"],
        "th": ["{n} ปี ต่อสัญญาได้", "{n} เดือน จากนั้นเป็นพนักงานประจำ"],
        "my": ["{n} နှစ်၊ သက်တမ်းတိုးနိုင်သည်", "{n} လ၊ ထို့နောက် အမြဲတမ်း"],
        "km": ["{n} ឆ្នាំ អាចបន្តបាន", "{n} ខែ បន្ទាប់មកជាបុគ្គលិកអចិន្ត្រៃយ៍"],
        "ne": ["{n} वर्ष, नवीकरण गर्न सकिने", "{n} महिना, त्यसपछि स्थायी"],
    },
    "accommodation": {
        "en": [
            "Free dormitory next to the factory, {n} people per room, with fans, lockers and clean drinking water.",
            "Housing allowance of 1,000 a month, or a free room shared by {n} in the company's housing.",
        ],
        "th": [
            "หอพักฟรีติดโรงงาน ห้องละ {n} คน มีพัดลม ตู้เก็บของ และน้ำดื่มสะอาด",
            "ค่าที่พักเดือนละ 1,000 หรือห้องพักฟรีของบริษัท พักห้องละ {n} คน",
        ],
        "my": [
            "စက်ရုံဘေးတွင် အခမဲ့ အဆောင်၊ တစ်ခန်းလျှင် {n} ယောက်၊ ပန်ကာ၊ သော့ခတ်သေတ္တာနှင့် သန့်ရှင်းသော သောက်ရေ ပါသည်။",
            "တစ်လလျှင် နေထိုင်စရိတ် ၁,၀၀၀ သို့မဟုတ် ကုမ္ပဏီ အိမ်ရာတွင် {n} ယောက် တစ်ခန်း အခမဲ့။",
        ],
        "km": [
            "អន្តេវាសិកដ្ឋានឥតគិតថ្លៃនៅជាប់រោងចក្រ {n} នាក់ក្នុងមួយបន្ទប់ មានកង្ហារ ទូដាក់អីវ៉ាន់ និងទឹកផឹកស្អាត។",
            "ប្រាក់ឧបត្ថម្ភស្នាក់នៅ ១,០០០ ក្នុងមួយខែ ឬបន្ទប់ឥតគិតថ្លៃរបស់ក្រុមហ៊ុនសម្រាប់ {n} នាក់។",
        ],
        "ne": [
            "कारखाना नजिकै निःशुल्क छात्रावास, एउटा कोठामा {n} जना, पङ्खा, लकर र सफा पिउने पानीसहित।",
            "महिनाको १,००० आवास भत्ता, वा कम्पनीको आवासमा {n} जनाको निःशुल्क कोठा।",
        ],
    },
    "food": {
        "en": ["{n} meals a day in the canteen, free of charge.", "Meal allowance of 50 a day; a kitchen to cook."],
        "th": ["อาหารวันละ {n} มื้อที่โรงอาหาร ไม่มีค่าใช้จ่าย", "ค่าอาหารวันละ 50 มีห้องครัวให้ทำอาหารเอง"],
        "my": ["စားသောက်ဆောင်တွင် တစ်နေ့ {n} နပ် အခမဲ့ ကျွေးသည်။", "တစ်နေ့ စားစရိတ် ၅၀၊ ချက်ပြုတ်ရန် မီးဖိုချောင် ရှိသည်။"],
        "km": ["អាហារ {n} ពេលក្នុងមួយថ្ងៃនៅអាហារដ្ឋាន ដោយឥតគិតថ្លៃ។", "ប្រាក់ម្ហូប ៥០ ក្នុងមួយថ្ងៃ មានផ្ទះបាយសម្រាប់ចម្អិន។"],
        "ne": ["क्यान्टिनमा दिनको {n} छाक खाना, निःशुल्क।", "दिनको ५० खाना भत्ता; खाना पकाउन भान्छा।"],
    },
    "transport": {
        "en": [
            "The employer pays the journey from your home town to the workplace, and back at the end of the contract.",
            "Free company bus between the dormitory and the site, {n} times a day.",
        ],
        "th": [
            "นายจ้างออกค่าเดินทางจากบ้านเกิดถึงที่ทำงาน และค่าเดินทางกลับเมื่อสิ้นสุดสัญญา",
            "รถรับส่งของบริษัทฟรีระหว่างหอพักกับที่ทำงาน วันละ {n} รอบ",
        ],
        "my": [
            "ဇာတိမြို့မှ အလုပ်နေရာအထိ ခရီးစရိတ်နှင့် စာချုပ်ပြီးဆုံးချိန် ပြန်ခရီးစရိတ်ကို အလုပ်ရှင်က ပေးသည်။",
            "အဆောင်နှင့် အလုပ်နေရာကြား ကုမ္ပဏီ ကားအခမဲ့၊ တစ်နေ့ {n} ကြိမ်။",
        ],
        "km": [
            "និយោជកចេញថ្លៃធ្វើដំណើរពីស្រុកកំណើតរបស់អ្នកទៅកន្លែងធ្វើការ និងត្រឡប់មកវិញនៅពេលបញ្ចប់កិច្ចសន្យា។",
            "ឡានក្រុមហ៊ុនឥតគិតថ្លៃរវាងអន្តេវាសិកដ្ឋាន និងកន្លែងធ្វើការ {n} ដងក្នុងមួយថ្ងៃ។",
        ],
        "ne": [
            "घरदेखि कार्यस्थलसम्म र सम्झौता सकिएपछि फर्कने यात्रा खर्च रोजगारदाताले तिर्छ।",
            "छात्रावास र कार्यस्थलबीच कम्पनीको निःशुल्क बस, दिनमा {n} पटक।",
        ],
    },
    "benefits": {
        "en": [
            "Social security from the first day, paid sick leave, an annual bonus and a free health check every year.",
            "Accident insurance, {n} days of paid sick leave, and a bonus for good attendance every month.",
        ],
        "th": [
            "ประกันสังคมตั้งแต่วันแรก ลาป่วยได้รับค่าจ้าง โบนัสประจำปี และตรวจสุขภาพฟรีทุกปี",
            "ประกันอุบัติเหตุ ลาป่วยได้รับค่าจ้าง {n} วัน และเบี้ยขยันทุกเดือน",
        ],
        "my": [
            "ပထမနေ့မှစ၍ လူမှုဖူလုံရေး၊ လစာပေး ဆေးခွင့်၊ နှစ်စဉ် ဆုကြေးနှင့် နှစ်စဉ် အခမဲ့ ကျန်းမာရေး စစ်ဆေးမှု။",
            "မတော်တဆ အာမခံ၊ လစာပေး ဆေးခွင့် {n} ရက်နှင့် လစဉ် အလုပ်မှန်ဆုကြေး။",
        ],
        "km": [
            "សន្តិសុខសង្គមចាប់ពីថ្ងៃដំបូង ច្បាប់ឈប់សម្រាកឈឺមានប្រាក់ឈ្នួល ប្រាក់រង្វាន់ប្រចាំឆ្នាំ និងពិនិត្យសុខភាពឥតគិតថ្លៃរៀងរាល់ឆ្នាំ។",
            "ធានារ៉ាប់រងគ្រោះថ្នាក់ ច្បាប់ឈឺមានប្រាក់ឈ្នួល {n} ថ្ងៃ និងប្រាក់រង្វាន់វត្តមានរៀងរាល់ខែ។",
        ],
        "ne": [
            "पहिलो दिनदेखि सामाजिक सुरक्षा, तलबी बिरामी बिदा, वार्षिक बोनस र हरेक वर्ष निःशुल्क स्वास्थ्य जाँच।",
            "दुर्घटना बीमा, {n} दिन तलबी बिरामी बिदा, र हरेक महिना नियमित हाजिरी बोनस।",
        ],
    },
    "requirements": {
        "en": [
            "Aged 18 to {n}, healthy, able to stand for long hours. No experience needed: training is given.",
            "At least {n} months' experience on a similar line; basic reading of numbers.",
        ],
        "th": [
            "อายุ 18 ถึง {n} ปี สุขภาพแข็งแรง ยืนทำงานได้นาน ไม่ต้องมีประสบการณ์ มีการฝึกอบรมให้",
            "มีประสบการณ์งานคล้ายกันอย่างน้อย {n} เดือน อ่านตัวเลขได้",
        ],
        "my": [
            "အသက် ၁၈ နှစ်မှ {n} နှစ်၊ ကျန်းမာသူ၊ အချိန်ကြာကြာ ရပ်နိုင်သူ။ အတွေ့အကြုံ မလိုပါ၊ သင်တန်းပေးသည်။",
            "အလားတူ အလုပ်တွင် အနည်းဆုံး {n} လ အတွေ့အကြုံ၊ ဂဏန်း ဖတ်တတ်ရမည်။",
        ],
        "km": [
            "អាយុពី ១៨ ដល់ {n} ឆ្នាំ មានសុខភាពល្អ អាចឈរបានយូរ។ មិនចាំបាច់មានបទពិសោធន៍ទេ មានការបណ្តុះបណ្តាល។",
            "មានបទពិសោធន៍យ៉ាងហោចណាស់ {n} ខែលើការងារស្រដៀងគ្នា អាចអានលេខបាន។",
        ],
        "ne": [
            "उमेर १८ देखि {n} वर्ष, स्वस्थ, लामो समय उभिन सक्ने। अनुभव आवश्यक छैन: तालिम दिइन्छ।",
            "यस्तै काममा कम्तीमा {n} महिनाको अनुभव; अङ्क पढ्न सक्ने।",
        ],
    },
    "documents_needed": {
        "en": ["Passport, national ID card, {n} photos. The employer pays for the visa and the work permit."],
        "th": ["หนังสือเดินทาง บัตรประชาชน รูปถ่าย {n} ใบ นายจ้างออกค่าวีซ่าและใบอนุญาตทำงาน"],
        "my": ["နိုင်ငံကူးလက်မှတ်၊ မှတ်ပုံတင်၊ ဓာတ်ပုံ {n} ပုံ။ ဗီဇာနှင့် အလုပ်လုပ်ခွင့်ကို အလုပ်ရှင်က ပေးသည်။"],
        "km": ["លិខិតឆ្លងដែន អត្តសញ្ញាណប័ណ្ណ រូបថត {n} សន្លឹក។ និយោជកចេញថ្លៃទិដ្ឋាការ និងលិខិតអនុញ្ញាតការងារ។"],
        "ne": ["राहदानी, नागरिकता प्रमाणपत्र, {n} फोटो। भिसा र श्रम स्वीकृतिको खर्च रोजगारदाताले तिर्छ।"],
    },
    "timeline": {
        "en": ["Interviews within {n} weeks; departure about 6 weeks after the offer."],
        "th": ["สัมภาษณ์ภายใน {n} สัปดาห์ เดินทางประมาณ 6 สัปดาห์หลังได้รับข้อเสนอ"],
        "my": ["{n} ပတ်အတွင်း အင်တာဗျူး၊ ကမ်းလှမ်းပြီး ၆ ပတ်ခန့်တွင် ထွက်ခွာမည်။"],
        "km": ["សម្ភាសន៍ក្នុងរយៈពេល {n} សប្តាហ៍ ចេញដំណើរប្រហែល ៦ សប្តាហ៍បន្ទាប់ពីការផ្តល់ជូន។"],
        "ne": ["{n} हप्ताभित्र अन्तर्वार्ता; प्रस्ताव पाएको करिब ६ हप्तापछि प्रस्थान।"],
    },
}
NUMBERS = {  # the {n} of each field
    "overtime": (8, 24),
    "days_off": (10, 16),
    "contract_length": (1, 3),
    "accommodation": (2, 6),
    "food": (2, 3),
    "transport": (2, 4),
    "benefits": (5, 30),
    "requirements": (35, 50),
    "documents_needed": (2, 6),
    "timeline": (2, 8),
}
FEES = [  # (name, amount range, charged by), in the vacancy country's currency scale
    ("Work permit", (900, 1_900), "Government"),
    ("Visa", (500, 2_000), "Immigration"),
    ("Health check", (300, 800), "Licensed hospital"),
    ("Passport", (1_000, 5_000), "Government of origin"),
    ("Pre-departure training", (200, 600), "Licensed origin agency"),
]


@dataclass
class SeededJobs:
    counts: dict[str, int] = field(default_factory=dict)
    inserted: int = 0  # vacancies inserted so far (the next call continues the stream)
    _specs: list[dict[str, Any]] = field(default_factory=list, repr=False)


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _w in pairs], weights=[w for _k, w in pairs])[0]


def _texts(language: str, choice: dict[str, tuple[int, int, bool]], position: int) -> dict[str, str]:
    texts = {"position": POSITIONS[language][position]}
    for name, by_language in TEXTS.items():
        variant, number, filled = choice[name]
        texts[name] = by_language[language][variant].format(n=number) if filled else ""
    return texts


def _plan(seeded: Any) -> list[dict[str, Any]]:
    """Every vacancy of the stream as plain values (cheap), drawn in one pass of the generator."""
    from ilm.accounts.models import Membership
    from ilm.network.models import Organisation, Site

    rng = random.Random(SEED)
    now = timezone.now()
    supplier_ids = sorted(
        Organisation.objects.filter(kind="supplier", sites__isnull=False).distinct().values_list("pk", flat=True)
    )
    posting = set(rng.sample(supplier_ids, SUPPLIERS))
    agencies = rng.sample(
        sorted(Organisation.objects.filter(kind="recruitment_agency").values_list("pk", flat=True)), AGENCIES
    )
    sites: dict[str, list[tuple[int, int]]] = defaultdict(list)  # country -> (site, supplier)
    for site_id, supplier_id, country in (
        Site.objects.filter(supplier_id__in=posting).order_by("pk").values_list("pk", "supplier_id", "country_id")
    ):
        sites[country].append((site_id, supplier_id))
    industry = dict(
        Organisation.industries.through.objects.filter(organisation_id__in=posting)
        .order_by("pk")
        .values_list("organisation_id", "industry_id")
    )
    member = dict(
        Membership.objects.filter(organisation_id__in=posting).order_by("pk").values_list("organisation_id", "pk")
    )
    span = datetime.timedelta(days=365)
    moments = sorted(
        now - span + datetime.timedelta(seconds=rng.uniform(0, span.total_seconds())) for _ in range(VACANCIES)
    )
    specs: list[dict[str, Any]] = []
    for created in moments:
        country = _weighted(rng, COUNTRY_WEIGHTS)
        if rng.random() < 0.8 and sites[country]:
            site, employer = rng.choice(sites[country])
            sector = industry.get(employer) or rng.choice(INDUSTRIES)
        else:
            site, employer, sector = None, rng.choice(agencies), rng.choice(INDUSTRIES)
        state = rng.random()
        status = "published" if state < 0.85 else ("closed" if state < 0.95 else "draft")
        if status == "draft" and rng.random() < 0.4:
            fee_model = ""
        else:
            fee_model = "zero_fee" if rng.random() < 0.72 else "itemised"
        written = _weighted(rng, WRITTEN_IN)
        others = [code for code in LANGUAGES if code != written]
        low, high = MONTHLY_WAGE[country]
        period = rng.choice(["month", "month", "month", "day"])
        wage = rng.randint(low, high) if period == "month" else rng.randint(low, high) // 26
        published = created + datetime.timedelta(hours=rng.randint(1, 72)) if status != "draft" else None
        specs.append(
            {
                "created": created,
                "published": published,
                "closed": published + datetime.timedelta(days=rng.randint(10, 90))
                if status == "closed" and published is not None
                else None,
                "employer": employer,
                "site": site,
                "country": country,
                "industry": sector,
                "status": status,
                "fee_model": fee_model,
                "language": written,
                "translations": rng.sample(others, rng.randint(1, 4)),
                "position": rng.randrange(len(POSITIONS["en"])),
                "choice": {
                    name: (rng.randrange(len(TEXTS[name]["en"])), rng.randint(*NUMBERS[name]), rng.random() > 0.1)
                    for name in TEXTS
                },
                "openings": rng.choice([1, 2, 5, 10, 20, 50]),
                "wage": Decimal(wage) if rng.random() < 0.95 else None,
                "currency": CURRENCY[country],
                "period": period,
                "hours_per_day": Decimal(rng.choice([8, 8, 9, 10])),
                "fees": [
                    (name, Decimal(rng.randint(*amounts)), charged)
                    for name, amounts, charged in rng.sample(FEES, rng.randint(1, 3))
                ]
                if fee_model == "itemised"
                else [],
                "created_by": member.get(employer),
            }
        )
    return specs


def seed_jobs(seeded: Any, stop: int = VACANCIES, state: SeededJobs | None = None) -> SeededJobs:
    """Insert the vacancies [state.inserted, stop) of the stream, with their fees and translations."""
    from bench.seed_cases import explicit_timestamps
    from ilm.jobs.models import Vacancy, VacancyFee, VacancyTranslation

    out = state or SeededJobs()
    if not out._specs:
        out._specs = _plan(seeded)
    batch = out._specs[out.inserted : stop]
    vacancies = [
        Vacancy(
            **_texts(s["language"], s["choice"], s["position"]),
            employer_id=s["employer"],
            status=s["status"],
            language=s["language"],
            openings=s["openings"],
            site_id=s["site"],
            country_id=s["country"],
            industry_id=s["industry"],
            wage_amount=s["wage"],
            wage_currency=s["currency"] if s["wage"] is not None else "",
            pay_period=s["period"],
            hours_per_day=s["hours_per_day"],
            hours_per_week=s["hours_per_day"] * 6,
            fee_model=s["fee_model"],
            published_at=s["published"],
            closed_at=s["closed"],
            created_by_id=s["created_by"],
            created_at=s["created"],
            updated_at=s["closed"] or s["published"] or s["created"],
        )
        for s in batch
    ]
    with explicit_timestamps(Vacancy, VacancyTranslation):
        Vacancy.objects.bulk_create(vacancies, batch_size=2000)
        fees = [
            VacancyFee(vacancy_id=v.pk, name=name, amount=amount, currency=s["currency"], charged_by=by, position=i)
            for v, s in zip(vacancies, batch, strict=True)
            for i, (name, amount, by) in enumerate(s["fees"])
        ]
        VacancyFee.objects.bulk_create(fees, batch_size=5000)
        translations = [
            VacancyTranslation(
                **_texts(code, s["choice"], s["position"]),
                vacancy_id=v.pk,
                language=code,
                created_at=s["created"],
                updated_at=s["created"],
            )
            for v, s in zip(vacancies, batch, strict=True)
            for code in s["translations"]
        ]
        VacancyTranslation.objects.bulk_create(translations, batch_size=2000)
    out.inserted = stop
    done = out._specs[:stop]
    out.counts = {
        "vacancies": len(done),
        "published": sum(1 for s in done if s["status"] == "published"),
        "zero-fee published": sum(1 for s in done if s["status"] == "published" and s["fee_model"] == "zero_fee"),
        "fee rows": sum(len(s["fees"]) for s in done),
        "translations": sum(len(s["translations"]) for s in done),
        "employers": len({s["employer"] for s in done}),
    }
    with connection.cursor() as cursor:  # the new rows only: the network seed was analysed already
        for model in (Vacancy, VacancyFee, VacancyTranslation):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return out
